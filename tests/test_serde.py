"""Serde: wire formats, personal-data encryption, crypto-shredding and poison detection."""

from __future__ import annotations

import dataclasses
import io
import json
import struct
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from fastavro import schemaless_reader
from fastavro.utils import generate_many
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.catalog import load_catalog
from schemas.events import Event, new_event
from schemas.keystore import InMemoryKeyStore, SubjectErased
from schemas.serde import EventSerde, PoisonEvent

CATALOG = load_catalog()


def profile_event(user: str = "u-1") -> Event:
    return new_event(
        "ProfileUpdated",
        user,
        {
            "skills": ["Python", "SQL"],
            "interests": ["data"],
            "education_level": "master",
            "years_experience": 4.5,
            "location": "Berlin",
            "salary_expectation": 72000.0,
            "salary_currency": "EUR",
            "career_goals": "lead a data team",
            "target_careers": [],
        },
        producer="test",
    )


def sample_payload(event_type: str) -> dict[str, Any]:
    """A random valid payload of plain values (personal fields get plain values of their plain type)."""
    schema = CATALOG.get(event_type)
    record = next(iter(generate_many(schema.raw, 1)))
    payload = {n: record[n] for n in schema.payload_fields}
    for f in schema.raw["fields"]:
        if f.get("personal"):
            plain = f["plain_type"]
            kinds = plain if isinstance(plain, list) else [plain]
            payload[f["name"]] = 1234.5 if "double" in kinds else "plain text"
    return payload


@pytest.mark.parametrize("event_type", sorted(CATALOG.by_name))
def test_every_event_type_round_trips(event_type: str) -> None:
    serde = EventSerde(InMemoryKeyStore())
    payload = sample_payload(event_type)
    event = new_event(event_type, "subject-1", payload, producer="test")
    decoded = serde.decode(serde.encode(event))
    assert decoded.event_type == event_type
    assert decoded.event_id == event.event_id
    assert decoded.subject_id == "subject-1"
    assert decoded.schema_version == CATALOG.get(event_type).version
    assert decoded.occurred_at == event.occurred_at.replace(
        microsecond=event.occurred_at.microsecond // 1000 * 1000
    )
    for name, value in payload.items():
        if isinstance(value, float):
            assert decoded.payload[name] == pytest.approx(value, rel=1e-6)
        elif name in ("provider_updated_at", "occurred_at") and value is not None:
            assert isinstance(decoded.payload[name], datetime)
        else:
            assert decoded.payload[name] == value, name
    # The serde's fast constructor gives an ordinary frozen Event: equal to the dataclass-built one,
    # still frozen; event_id comes back as the string it was.
    rebuilt = Event(**{f.name: getattr(decoded, f.name) for f in dataclasses.fields(Event)})
    assert decoded == rebuilt and type(decoded.event_id) is str
    with pytest.raises(dataclasses.FrozenInstanceError):
        decoded.subject_id = "someone else"  # type: ignore[misc]


def test_single_object_encoding_is_decodable_from_the_published_schema_alone() -> None:
    """A downstream consumer with only the .avsc file (no CareerStream code) reads the envelope."""
    data = EventSerde(InMemoryKeyStore()).encode(profile_event())
    schema = CATALOG.get("ProfileUpdated")
    assert data[:2] == b"\xc3\x01"
    assert data[2:10] == schema.fingerprint
    from fastavro import parse_schema

    record = schemaless_reader(io.BytesIO(data[10:]), parse_schema(json.loads(json.dumps(schema.raw))), None)
    assert isinstance(record, dict)  # an Avro record reads as a dict
    assert record["subject_id"] == "u-1"
    assert record["skills"] == ["Python", "SQL"]
    assert isinstance(record["location"], bytes) and b"Berlin" not in record["location"]


def test_personal_fields_are_encrypted_on_the_wire() -> None:
    data = EventSerde(InMemoryKeyStore()).encode(profile_event())
    for secret in (b"Berlin", b"lead a data team", b"72000"):
        assert secret not in data
    assert b"Python" in data  # non-personal fields stay readable


def test_erasing_the_key_redacts_only_personal_fields() -> None:
    keys = InMemoryKeyStore()
    serde = EventSerde(keys)
    data = serde.encode(profile_event())
    assert serde.decode(data).payload["location"] == "Berlin"
    keys.destroy("u-1")
    after = serde.decode(data)
    assert after.redacted == {"location", "salary_expectation", "career_goals"}
    assert after.payload["location"] is None and after.payload["career_goals"] is None
    assert after.payload["skills"] == ["Python", "SQL"]
    assert after.payload["salary_currency"] == "EUR"
    with pytest.raises(SubjectErased):
        serde.encode(profile_event())


def test_ciphertext_moved_to_another_event_fails_authentication() -> None:
    """The event id and field name are authenticated: ciphertext can't be replayed elsewhere."""
    keys = InMemoryKeyStore()
    serde = EventSerde(keys)
    one, two = profile_event(), profile_event()
    rec_one = schemaless_reader(
        io.BytesIO(serde.encode(one)[10:]), CATALOG.get("ProfileUpdated").parsed, None
    )
    forged = Event(
        event_type=two.event_type,
        subject_id=two.subject_id,
        payload=dict(two.payload),
        event_id=two.event_id,
        schema_version=1,
    )
    data = bytearray(serde.encode(forged))
    # Splice one's location ciphertext into two's record by re-encoding with the raw bytes.
    from fastavro import schemaless_writer

    rec_two = schemaless_reader(io.BytesIO(bytes(data[10:])), CATALOG.get("ProfileUpdated").parsed, None)
    assert isinstance(rec_one, dict) and isinstance(rec_two, dict)  # Avro records read as dicts
    rec_two["location"] = rec_one["location"]
    buf = io.BytesIO()
    buf.write(bytes(data[:10]))
    schemaless_writer(buf, CATALOG.get("ProfileUpdated").parsed, rec_two)
    with pytest.raises(PoisonEvent, match="fails authentication"):
        serde.decode(buf.getvalue())


def test_unknown_payload_field_is_refused_at_encode() -> None:
    with pytest.raises(ValueError, match="no field"):
        EventSerde(InMemoryKeyStore()).encode(
            new_event(
                "CareerInteraction", "u", {"career_id": "c", "action": "viewed", "bogus": 1}, producer="t"
            )
        )


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_are_either_an_event_or_a_poison_event(data: bytes) -> None:
    serde = EventSerde(InMemoryKeyStore())
    try:
        serde.decode(data)
    except PoisonEvent as exc:
        assert exc.reason


@given(st.integers(min_value=0, max_value=200))
@settings(max_examples=100, deadline=None)
def test_truncated_events_are_poison(cut: int) -> None:
    serde = EventSerde(InMemoryKeyStore())
    data = serde.encode(profile_event())
    if cut >= len(data):
        return
    with pytest.raises(PoisonEvent):
        serde.decode(data[:cut])


class FakeRegistry(BaseHTTPRequestHandler):
    """A Confluent-compatible schema registry speaking the real REST protocol (subjects/versions, ids)."""

    schemas: ClassVar[dict[int, str]] = {}
    subjects: ClassVar[dict[str, int]] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        subject = self.path.split("/")[2]
        schema = body["schema"]
        existing = next((i for i, s in self.schemas.items() if s == schema), None)
        schema_id = existing or len(self.schemas) + 1
        self.schemas[schema_id] = schema
        self.subjects[subject] = schema_id
        self._send(200, {"id": schema_id})

    def do_GET(self) -> None:
        if self.path.startswith("/schemas/ids/"):
            schema_id = int(self.path.split("/")[3].split("?")[0])
            if schema_id in self.schemas:
                self._send(200, {"schema": self.schemas[schema_id]})
            else:
                self._send(404, {"error_code": 40403, "message": "Schema not found"})
        else:
            self._send(404, {"error_code": 404, "message": "not found"})


@pytest.fixture
def registry_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_confluent_wire_format_with_a_registry_and_readers_accept_both(registry_url: str) -> None:
    from schemas.serde import ConfluentSchemaRegistry

    keys = InMemoryKeyStore()
    confluent = EventSerde(keys, registry=ConfluentSchemaRegistry(registry_url))
    data = confluent.encode(profile_event())
    assert data[0] == 0
    (schema_id,) = struct.unpack(">I", data[1:5])
    assert FakeRegistry.subjects["careerstream.users-io.careerstream.events.ProfileUpdated"] == schema_id
    assert confluent.decode(data).payload["location"] == "Berlin"
    single = EventSerde(keys).encode(profile_event())
    assert confluent.decode(single).payload["skills"] == ["Python", "SQL"]
    # A reader with the registry configured also reads a fresh process's Confluent data.
    fresh_reader = EventSerde(keys, registry=ConfluentSchemaRegistry(registry_url))
    assert fresh_reader.decode(data).event_type == "ProfileUpdated"
    with pytest.raises(PoisonEvent, match="no schema registry"):
        EventSerde(keys).decode(data)


def test_decode_returns_utc_timestamps() -> None:
    serde = EventSerde(InMemoryKeyStore())
    decoded = serde.decode(serde.encode(profile_event()))
    assert decoded.occurred_at.tzinfo is not None
    assert decoded.occurred_at.utcoffset() == UTC.utcoffset(None)


def test_an_event_id_that_is_no_uuid_is_poison_and_case_is_canonical() -> None:
    # event_id is read as the plain string on the wire (faster than fastavro's UUID objects), so the
    # serde checks it itself, as the uuid logical type did.
    serde = EventSerde(InMemoryKeyStore())
    event = new_event("ProfileUpdated", "u1", {"skills": ["SQL"]}, producer="test")
    with pytest.raises(PoisonEvent, match="not a UUID"):
        serde.decode(serde.encode(dataclasses.replace(event, event_id="not-a-uuid")))
    upper = serde.encode(dataclasses.replace(event, event_id=event.event_id.upper()))
    assert serde.decode(upper).event_id == event.event_id
