"""The public event contract: schema shape, versioning, BACKWARD compatibility and the generated catalog."""

from __future__ import annotations

import io
import json

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer
from fastavro.utils import generate_many

from schemas.catalog import AVRO_DIR, ENVELOPE_FIELDS, TOPIC_PARTITIONS, load_catalog, released_versions
from schemas.event_docs import render_event_catalog

REQUIRED_EVENTS = {
    "UserRegistered",
    "ProfileUpdated",
    "AssessmentCompleted",
    "CareerInteraction",
    "CourseUpserted",
    "CourseRemoved",
    "CourseEnrollment",
    "ResumeUploaded",
    "ResumeAnalyzed",
    "ChatMessageReceived",
    "ChatResponseSent",
    "ConsentChanged",
    "ErasureRequested",
    "ErasureCompleted",
    "PersonalDataAccessed",
    "RetentionApplied",
}
CATALOG = load_catalog()


def test_every_required_event_type_has_one_schema_file() -> None:
    names = {p.stem for p in AVRO_DIR.glob("*.avsc")}
    assert names == REQUIRED_EVENTS
    for name in names:
        assert CATALOG.get(name).name == name


@pytest.mark.parametrize("name", sorted(REQUIRED_EVENTS))
def test_schema_is_namespaced_versioned_and_starts_with_the_envelope(name: str) -> None:
    schema = CATALOG.get(name)
    assert schema.raw["namespace"] == "io.careerstream.events"
    assert schema.version >= 1
    assert schema.topic in TOPIC_PARTITIONS
    first = tuple(f["name"] for f in schema.raw["fields"][: len(ENVELOPE_FIELDS)])
    assert first == ENVELOPE_FIELDS
    reference = CATALOG.get("UserRegistered").raw["fields"][: len(ENVELOPE_FIELDS)]
    assert schema.raw["fields"][: len(ENVELOPE_FIELDS)] == reference
    occurred = next(f for f in schema.raw["fields"] if f["name"] == "occurred_at")
    assert occurred["type"] == {"type": "long", "logicalType": "timestamp-millis"}
    for f in schema.raw["fields"]:
        assert f.get("doc"), f"{name}.{f['name']} needs a doc string: the schema is the public contract"
        if f.get("personal"):
            assert f["type"] in ("bytes", ["null", "bytes"]), "personal fields carry ciphertext"


@pytest.mark.parametrize("name", sorted(REQUIRED_EVENTS))
def test_current_schema_reads_data_of_the_latest_released_version(name: str) -> None:
    """BACKWARD compatibility: consumers upgraded to the current schema still read old events."""
    released = released_versions(name)
    assert released, f"{name} has no released version under schemas/released/"
    latest = released[-1]
    current = CATALOG.get(name)
    assert current.version in (latest.version, latest.version + 1)
    if current.version == latest.version:
        assert current.canonical == latest.canonical, (
            f"{name} changed without a version bump: bump 'version' and release it as v{latest.version + 1}"
        )
    writer = parse_schema(latest.raw)
    reader = parse_schema(current.raw)
    for record in generate_many(latest.raw, 25):
        buf = io.BytesIO()
        schemaless_writer(buf, writer, record)
        buf.seek(0)
        decoded = schemaless_reader(buf, writer, reader)
        assert isinstance(decoded, dict)  # an Avro record reads as a dict
        assert decoded["event_type"] == record["event_type"]


def test_a_breaking_change_is_detected_by_resolution() -> None:
    """The check above has teeth: adding a required field without a default breaks old data."""
    latest = released_versions("CareerInteraction")[-1].raw
    broken = json.loads(json.dumps(latest))
    broken["fields"].append({"name": "new_required", "type": "string", "doc": "x"})
    writer, reader = parse_schema(latest), parse_schema(broken)
    buf = io.BytesIO()
    schemaless_writer(buf, writer, next(iter(generate_many(latest, 1))))
    buf.seek(0)
    with pytest.raises(Exception):  # noqa: B017 - fastavro raises SchemaResolutionError
        schemaless_reader(buf, writer, reader)


def test_event_catalog_doc_is_generated_from_the_schemas() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "events.md"
    assert doc.read_text() == render_event_catalog("careerstream"), "run `careerstream docs-events`"
