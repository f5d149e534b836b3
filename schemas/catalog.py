"""The published event contract: one Avro schema per event type, loaded from `schemas/avro/*.avsc`.

Each schema carries two custom attributes next to standard Avro:
- `"topic"`: the logical topic the event type is published on (several event types of one aggregate
  share a topic so that a consumer sees them in order per subject);
- `"version"`: the schema version, written into every event's `schema_version` envelope field.
Fields marked `"personal": true` hold AES-GCM ciphertext of the JSON-encoded plain value (`"plain_type"`).

Released versions are kept under `schemas/released/<EventType>/v<N>.avsc`; a test checks that the current
schema can read data written with the latest released one (BACKWARD compatibility).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastavro import parse_schema
from fastavro.schema import fingerprint, to_parsing_canonical_form

AVRO_DIR = Path(__file__).parent / "avro"
RELEASED_DIR = Path(__file__).parent / "released"

ENVELOPE_FIELDS: tuple[str, ...] = (
    "event_id",
    "event_type",
    "schema_version",
    "occurred_at",
    "subject_id",
    "correlation_id",
    "causation_id",
    "producer",
)

# Logical topic -> partition count. Event topics keep events forever (the log is the source of truth).
TOPIC_PARTITIONS: dict[str, int] = {
    "users": 6,
    "activity": 6,
    "courses": 6,
    "resumes": 3,
    "chat": 3,
    # Access audit (PersonalDataAccessed), keyed by the person whose data was read; hash-chained per
    # partition by the audit notary (streams/audit_notary.py).
    "audit": 3,
}
DEAD_LETTER_TOPIC = "dead-letter"


@dataclass(frozen=True)
class EventSchema:
    """One event type's schema plus the metadata the serde needs."""

    name: str
    version: int
    topic: str
    raw: dict[str, Any]
    parsed: Any
    # For reading: `event_id` as the plain string it is on the wire. fastavro would build a UUID for the
    # uuid logical type and the serde turn it straight back into a string, a tenth of a decode.
    read_parsed: Any
    canonical: str
    fingerprint: bytes  # 8 bytes little-endian CRC-64-AVRO, as in Avro single-object encoding
    personal_fields: frozenset[str]
    payload_fields: tuple[str, ...]
    payload_field_set: frozenset[str]
    defaults: dict[str, Any]  # Avro defaults of payload fields, pre-filled into every record we write

    @property
    def fingerprint_hex(self) -> str:
        return self.fingerprint.hex()


def may_be_omitted(avro_field: dict[str, Any]) -> bool:
    """Whether a producer may leave the field out of an event's payload: the serde fills in the Avro
    default, and fastavro writes null for a field whose type admits null. Any other field is required
    (the event can't be encoded without it)."""
    avro_type = avro_field["type"]
    # fastavro's own test (fastavro/_write_py.py, write_record): "null" or a union naming "null".
    nullable = avro_type == "null" or (isinstance(avro_type, list) and "null" in avro_type)
    return "default" in avro_field or nullable


def without_uuid_type(raw: dict[str, Any]) -> dict[str, Any]:
    """The schema with the uuid logical type dropped from its top-level fields (same wire encoding: a
    uuid is an Avro string)."""

    def plain(avro_type: Any) -> Any:
        if isinstance(avro_type, dict) and avro_type.get("logicalType") == "uuid":
            return {k: v for k, v in avro_type.items() if k != "logicalType"}
        return avro_type

    return {**raw, "fields": [{**f, "type": plain(f["type"])} for f in raw["fields"]]}


def load_schema_file(path: Path) -> EventSchema:
    """Parse one `.avsc` file into an `EventSchema`."""
    raw = json.loads(path.read_text())
    canonical = to_parsing_canonical_form(raw)
    personal = frozenset(f["name"] for f in raw["fields"] if f.get("personal"))
    payload = tuple(f["name"] for f in raw["fields"] if f["name"] not in ENVELOPE_FIELDS)
    return EventSchema(
        name=raw["name"],
        version=int(raw["version"]),
        topic=raw["topic"],
        raw=raw,
        parsed=parse_schema(raw),
        read_parsed=parse_schema(without_uuid_type(raw)),
        canonical=canonical,
        # fastavro gives the CRC-64-AVRO bytes already in little-endian order.
        fingerprint=bytes.fromhex(fingerprint(canonical, "CRC-64-AVRO")),
        personal_fields=personal,
        payload_fields=payload,
        payload_field_set=frozenset(payload),
        defaults={f["name"]: f["default"] for f in raw["fields"] if "default" in f and f["name"] in payload},
    )


@dataclass(frozen=True)
class SchemaCatalog:
    """All current event schemas, by name and by fingerprint (released versions included for reading)."""

    by_name: dict[str, EventSchema]
    by_fingerprint: dict[bytes, EventSchema]

    def get(self, event_type: str) -> EventSchema:
        try:
            return self.by_name[event_type]
        except KeyError:
            raise KeyError(f"unknown event type {event_type!r}") from None

    def event_types_on(self, topic: str) -> list[str]:
        return sorted(s.name for s in self.by_name.values() if s.topic == topic)


@lru_cache(maxsize=1)
def load_catalog() -> SchemaCatalog:
    """Load current schemas and every released version (a reader must decode old events too)."""
    current = {s.name: s for s in (load_schema_file(p) for p in sorted(AVRO_DIR.glob("*.avsc")))}
    by_fp: dict[bytes, EventSchema] = {}
    for path in sorted(RELEASED_DIR.glob("*/v*.avsc")):
        released = load_schema_file(path)
        by_fp[released.fingerprint] = released
    for schema in current.values():
        by_fp[schema.fingerprint] = schema
    return SchemaCatalog(by_name=current, by_fingerprint=by_fp)


def released_versions(event_type: str) -> list[EventSchema]:
    """Released versions of one event type, oldest first."""
    paths = sorted((RELEASED_DIR / event_type).glob("v*.avsc"), key=lambda p: int(p.stem.removeprefix("v")))
    return [load_schema_file(p) for p in paths]


def topic_name(prefix: str, logical_topic: str) -> str:
    """Physical Kafka topic name, e.g. `careerstream.users`."""
    return f"{prefix}.{logical_topic}"
