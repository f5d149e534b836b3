"""Typed payloads: schemas/payloads.py is what the generator makes of the current .avsc files, its types
match what the serde decodes, and `Event.payload_as` hands readers the payload a decoded event has.

A schema change without `python -m schemas.payload_codegen` fails here first; once regenerated, mypy
(`make lint`) points at every projection still reading a renamed or retyped field.
"""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints, is_typeddict

import pytest
from fastavro.utils import generate_many

from schemas.catalog import SchemaCatalog, load_catalog, load_schema_file, may_be_omitted
from schemas.events import Event, new_event
from schemas.keystore import InMemoryKeyStore
from schemas.payload_codegen import PAYLOADS_PATH, _docstring, payload_class_name, render_payloads
from schemas.payloads import (
    PAYLOAD_TYPES,
    ConsentChangedPayload,
    ProfileUpdatedPayload,
    UserRegisteredPayload,
)
from schemas.serde import EventSerde

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()


def test_payloads_module_is_generated_from_the_current_schemas() -> None:
    expected = render_payloads(CATALOG)
    actual = PAYLOADS_PATH.read_text()
    diff = "".join(
        list(
            difflib.unified_diff(
                actual.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "schemas/payloads.py (committed)",
                "schemas/payloads.py (from the .avsc files)",
            )
        )[:60]
    )
    assert actual == expected, f"schemas/payloads.py is stale: run python -m schemas.payload_codegen\n{diff}"


def test_the_generator_check_mode_agrees() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "schemas.payload_codegen", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("event_type", sorted(CATALOG.by_name))
def test_each_event_type_has_a_typed_dict_of_its_payload_fields(event_type: str) -> None:
    schema = CATALOG.get(event_type)
    cls = PAYLOAD_TYPES[event_type]
    assert is_typeddict(cls) and cls.__name__ == payload_class_name(event_type)
    required: frozenset[str] = cls.__required_keys__  # type: ignore[attr-defined]
    optional: frozenset[str] = cls.__optional_keys__  # type: ignore[attr-defined]
    assert required | optional == set(schema.payload_fields)  # no envelope field, none missing
    assert optional == {
        f["name"] for f in schema.raw["fields"] if f["name"] in schema.payload_field_set and may_be_omitted(f)
    }
    assert cls.__doc__ and " ".join(schema.raw["doc"].split()[:4]) in " ".join(cls.__doc__.split())
    assert set(PAYLOAD_TYPES) == set(CATALOG.by_name)


# ------------------------------------------------------------------ the types are what the serde decodes
def _conforms(value: Any, hint: Any) -> bool:
    """Whether a decoded value fits a payload type (the generated annotations, evaluated)."""
    origin = get_origin(hint)
    if hint is type(None):
        return value is None
    if origin in (types.UnionType, typing.Union):
        return any(_conforms(value, h) for h in get_args(hint))
    if origin is Literal:
        return value in get_args(hint)
    if origin is list:
        return isinstance(value, list) and all(_conforms(v, get_args(hint)[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            isinstance(k, str) and _conforms(v, get_args(hint)[1]) for k, v in value.items()
        )
    if is_typeddict(hint):
        hints = get_type_hints(hint)
        return isinstance(value, dict) and all(_conforms(value[k], hints[k]) for k in value)
    if hint is float:  # as in the type system, an int is a float
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, hint)


def _plain_payload(event_type: str, seed: int) -> dict[str, Any]:
    """A random valid payload; personal fields get a value of their plain type."""
    schema = CATALOG.get(event_type)
    record = list(generate_many(schema.raw, seed + 1))[seed]
    payload = {n: record[n] for n in schema.payload_fields}
    for f in schema.raw["fields"]:
        if f.get("personal"):
            kinds = f["plain_type"] if isinstance(f["plain_type"], list) else [f["plain_type"]]
            payload[f["name"]] = 1234.5 if "double" in kinds else "plain text"
    return payload


@pytest.mark.parametrize("event_type", sorted(CATALOG.by_name))
def test_decoded_payloads_fit_their_types_also_once_redacted(event_type: str) -> None:
    keystore = InMemoryKeyStore()
    serde = EventSerde(keystore)
    cls = PAYLOAD_TYPES[event_type]
    hints = get_type_hints(cls)
    for seed in range(3):
        event = new_event(event_type, f"s{seed}", _plain_payload(event_type, seed), producer="test")
        data = serde.encode(event)
        for decoded in (serde.decode(data), None):
            if decoded is None:  # the subject's key destroyed: personal fields decode as None
                keystore.destroy(f"s{seed}")
                decoded = serde.decode(data)
            payload = decoded.payload_as(cls)
            wrong = {k: v for k, v in payload.items() if not _conforms(v, hints[k])}
            assert wrong == {}, f"{event_type}: values that do not fit {cls.__name__}"


# ------------------------------------------------------------------ Event.payload_as
def test_payload_as_fills_in_what_the_producer_left_out_as_a_decoded_event_has_it() -> None:
    event = new_event("UserRegistered", "u1", {"email": "a@example.org"}, producer="test")
    payload = event.payload_as(UserRegisteredPayload)
    assert payload == {
        "email": "a@example.org",
        "display_name": None,
        "locale": "en",
        "registered_via": "web",
    }
    assert event.payload == {"email": "a@example.org"}  # the event itself is unchanged
    serde = EventSerde(InMemoryKeyStore())
    decoded = serde.decode(serde.encode(event))
    assert decoded.payload_as(UserRegisteredPayload) == payload


def test_payload_as_gives_a_decoded_payload_as_is_and_never_shares_defaults() -> None:
    serde = EventSerde(InMemoryKeyStore())
    decoded = serde.decode(serde.encode(new_event("ProfileUpdated", "u1", {}, producer="test")))
    assert decoded.payload_as(ProfileUpdatedPayload) is decoded.payload
    one = new_event("ProfileUpdated", "u1", {}, producer="test").payload_as(ProfileUpdatedPayload)
    two = new_event("ProfileUpdated", "u2", {}, producer="test").payload_as(ProfileUpdatedPayload)
    one["skills"].append("Python")
    assert two["skills"] == [] and CATALOG.get("ProfileUpdated").defaults["skills"] == []


def test_payload_as_refuses_another_event_types_payload() -> None:
    event = new_event(
        "ConsentChanged", "u1", {"purpose": "x", "granted": True, "policy_version": "1"}, producer="t"
    )
    assert event.payload_as(ConsentChangedPayload)["granted"] is True
    with pytest.raises(TypeError, match="ConsentChanged payload read as ProfileUpdatedPayload"):
        event.payload_as(ProfileUpdatedPayload)
    unknown = Event(event_type="NoSuchEvent", subject_id="u1", payload={})
    with pytest.raises(TypeError, match="unknown"):
        unknown.payload_as(ConsentChangedPayload)


def test_mypy_reports_a_misspelt_or_mistyped_field_and_takes_every_generated_type(tmp_path: Path) -> None:
    """What the types are for: a reader of a renamed field (or one using a value as the wrong type)
    fails `make lint`. Runs mypy with the project's settings on a small reader, and on the module the
    generator makes of a schema using every kind of Avro type (which must check clean)."""
    reader = tmp_path / "reader.py"
    reader.write_text(
        "from schemas.events import Event\n"
        "from schemas.payloads import ProfileUpdatedPayload\n\n\n"
        "def read(event: Event) -> int:\n"
        "    p = event.payload_as(ProfileUpdatedPayload)\n"
        '    print(p["skils"])\n'
        '    return p["years_experience"]\n'
    )
    sample = tmp_path / "sample_payloads.py"
    sample.write_text(_sample_source(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), str(reader), str(sample)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert 'TypedDict "ProfileUpdatedPayload" has no key "skils"' in result.stdout, result.stdout
    assert 'Incompatible return value type (got "float | None", expected "int")' in result.stdout
    assert "sample_payloads.py" not in result.stdout, result.stdout


# ------------------------------------------------------------------ the generator's type mapping
SAMPLE_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Sample",
    "namespace": "io.careerstream.events",
    "doc": 'A "quoted" doc with a backslash \\ that is long enough to be wrapped over more than one line '
    "of the generated docstring, which is limited to the project's line length of 110 characters.",
    "version": 3,
    "topic": "users",
    "fields": [
        {"name": "event_id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "occurred_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "count", "type": "long", "doc": "Required."},
        {"name": "ratio", "type": ["null", "float"]},
        {"name": "mixed", "type": ["null", "int", "string"], "default": None},
        {"name": "secret", "type": "bytes", "personal": True, "plain_type": "double"},
        {"name": "level", "type": {"type": "enum", "name": "Level", "symbols": ["low", "high"]}},
        {"name": "again", "type": "Level", "default": "low"},
        {"name": "digest", "type": {"type": "fixed", "name": "Digest", "size": 4}},
        {"name": "tags", "type": {"type": "map", "values": {"type": "array", "items": "string"}}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "ref", "type": {"type": "string", "logicalType": "uuid"}},
        {
            "name": "money",
            "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
        },
        {"name": "odd", "type": {"type": "string", "logicalType": "not-a-logical-type"}},
        {
            "name": "node",
            "type": {
                "type": "record",
                "name": "Node",
                "doc": "A tree node.",
                "fields": [
                    {"name": "label", "type": "string"},
                    {"name": "children", "type": {"type": "array", "items": "Node"}, "default": []},
                    {"name": "from", "type": ["null", "string"], "default": None},
                ],
            },
        },
        {"name": "nodes", "type": {"type": "array", "items": "io.careerstream.events.Node"}, "default": []},
    ],
}


def _sample_source(tmp_path: Path) -> str:
    path = tmp_path / "Sample.avsc"
    path.write_text(json.dumps(SAMPLE_SCHEMA))
    catalog = SchemaCatalog(by_name={"Sample": load_schema_file(path)}, by_fingerprint={})
    return render_payloads(catalog)


def test_the_generator_maps_every_avro_type(tmp_path: Path) -> None:
    source = _sample_source(tmp_path)
    lines = {line.strip() for line in source.splitlines()}
    for expected in (
        "count: int",
        "ratio: NotRequired[float | None]",  # nullable without a default: fastavro writes null
        "mixed: NotRequired[int | str | None]",
        "secret: float | None",  # personal: its plain type, None once redacted
        'level: Literal["low", "high"]',
        'again: NotRequired[Literal["low", "high"]]',  # a named type used again by name
        "digest: bytes",
        "tags: dict[str, list[str]]",
        "day: date",
        "ref: str | UUID",
        "money: Decimal",
        "odd: str",  # unknown logical type: the underlying type
        "node: Node",
        "nodes: NotRequired[list[Node]]",
        '"children": NotRequired["list[Node]"],',  # recursive: quoted inside NotRequired
        '"from": NotRequired[str | None],',  # a keyword: the functional TypedDict syntax
        "from datetime import date",
        "from decimal import Decimal",
        "from uuid import UUID",
    ):
        assert expected in lines, expected
    assert "event_id" not in source and "occurred_at" not in source  # the envelope is not payload
    namespace: dict[str, Any] = {}
    # dont_inherit: not this module's `from __future__ import annotations` (payloads.py has none).
    exec(compile(source, "payloads.py", "exec", dont_inherit=True), namespace)
    sample, node = namespace["SamplePayload"], namespace["Node"]
    assert namespace["PAYLOAD_TYPES"] == {"Sample": sample}
    assert sample.__optional_keys__ == {"ratio", "mixed", "again", "nodes"}
    assert node.__optional_keys__ == {"children", "from"} and node.__required_keys__ == {"label"}
    assert 'A "quoted" doc with a backslash \\ that' in sample.__doc__
    assert "Avro record `io.careerstream.events.Sample` v3, topic `users`." in sample.__doc__


def test_the_generated_source_passes_ruff(tmp_path: Path) -> None:
    target = tmp_path / "payloads.py"
    target.write_text(_sample_source(tmp_path))
    ruff = Path(sys.executable).with_name("ruff")
    for command in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [str(ruff), *command, "--config", str(ROOT / "pyproject.toml"), str(target)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_name_clash_between_generated_types_is_refused(tmp_path: Path) -> None:
    schema = {
        **SAMPLE_SCHEMA,
        "fields": [
            {"name": "a", "type": {"type": "record", "name": "SamplePayload", "fields": []}},
        ],
    }
    path = tmp_path / "Sample.avsc"
    path.write_text(json.dumps(schema))
    with pytest.raises(ValueError, match="two different types would be named SamplePayload"):
        render_payloads(SchemaCatalog(by_name={"Sample": load_schema_file(path)}, by_fingerprint={}))


@pytest.mark.parametrize(
    "doc",
    ["plain", 'ends in a "quote"', 'three """ quotes', 'four """" quotes', "back\\slash\\", '"opens'],
)
def test_any_schema_doc_survives_as_a_docstring(doc: str) -> None:
    source = "\n".join(["class Probe:", *_docstring([doc, "second paragraph"], "    ")]) + "\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "probe.py", "exec", dont_inherit=True), namespace)
    assert namespace["Probe"].__doc__ == f"{doc}\n\n    second paragraph\n    "
