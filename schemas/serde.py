"""Avro serde for events: wire format, schema resolution and personal-data encryption, all in one place.

Wire formats (readers accept both, by the first byte):
- Avro single-object encoding (default): `C3 01` + 8-byte little-endian CRC-64-AVRO fingerprint of the
  writer schema's canonical form + Avro binary body. A consumer needs only the published `.avsc` files.
- Confluent wire format (when a schema registry URL is configured): `00` + 4-byte big-endian schema id +
  Avro binary body; schemas are registered under the TopicRecordNameStrategy subject `<topic>-<record>`.

Personal fields hold `01 | nonce(12) | AES-GCM(json(value))` under the subject's data key, with the
subject id, event id and field name as associated data, so ciphertext can't be replayed into another
event or field. With the key destroyed, those fields decode as None and are listed in `Event.redacted`.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
from typing import Any, Protocol

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from schemas.catalog import SchemaCatalog, load_catalog, topic_name, without_uuid_type
from schemas.cloudevents import cloudevent_headers
from schemas.events import Event
from schemas.keystore import KeyStore

SINGLE_OBJECT_MAGIC = b"\xc3\x01"
CONFLUENT_MAGIC = b"\x00"
_CIPHER_VERSION = b"\x01"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class PoisonEvent(Exception):
    """Bytes that can't be turned into a valid event; `reason` goes into the dead-letter record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SchemaRegistry(Protocol):
    """The two calls the serde makes to a Confluent-compatible schema registry."""

    def register(self, subject: str, schema_json: str) -> int: ...

    def schema_by_id(self, schema_id: int) -> str: ...


class ConfluentSchemaRegistry:
    """Adapter over confluent-kafka's `SchemaRegistryClient` (it caches ids and schemas itself)."""

    def __init__(self, url: str) -> None:

        self._client = SchemaRegistryClient({"url": url})

    def register(self, subject: str, schema_json: str) -> int:

        return int(self._client.register_schema(subject, Schema(schema_json, "AVRO")))

    def schema_by_id(self, schema_id: int) -> str:
        return str(self._client.get_schema(schema_id).schema_str)


def _aad(subject_id: str, event_id: str, field: str) -> bytes:
    return f"{subject_id}|{event_id}|{field}".encode()


class EventSerde:
    """Encode `Event` -> bytes and back. Thread-safe; keep one per process."""

    def __init__(
        self,
        keystore: KeyStore,
        *,
        catalog: SchemaCatalog | None = None,
        registry: SchemaRegistry | None = None,
        topic_prefix: str = "careerstream",
    ) -> None:
        self.catalog = catalog or load_catalog()
        self.keystore = keystore
        self.registry = registry
        self.topic_prefix = topic_prefix
        self._registered_ids: dict[str, int] = {}
        self._registry_schemas: dict[int, Any] = {}
        self._ciphers: dict[bytes, AESGCM] = {}

    # ---------------------------------------------------------------- encode
    def encode(self, event: Event) -> bytes:
        """Serialise an event with the current schema of its type, encrypting personal fields."""
        schema = self.catalog.get(event.event_type)
        payload = event.payload
        if not schema.payload_field_set.issuperset(payload):
            unknown = sorted(set(payload) - schema.payload_field_set)
            raise ValueError(f"{event.event_type} has no field(s) {unknown}")
        record: dict[str, Any] = dict(schema.defaults)
        record.update(payload)
        record["event_id"] = event.event_id
        record["event_type"] = event.event_type
        record["schema_version"] = schema.version
        record["occurred_at"] = event.occurred_at
        record["subject_id"] = event.subject_id
        record["correlation_id"] = event.correlation_id or event.event_id
        record["causation_id"] = event.causation_id
        record["producer"] = event.producer
        personal = [n for n in schema.personal_fields if record.get(n) is not None]
        if personal:
            cipher = AESGCM(self.keystore.key_for_write(event.subject_id))
            for name in personal:
                nonce = os.urandom(12)
                plain = json.dumps(record[name], separators=(",", ":")).encode()
                record[name] = (
                    _CIPHER_VERSION
                    + nonce
                    + cipher.encrypt(nonce, plain, _aad(event.subject_id, event.event_id, name))
                )
        buf = io.BytesIO()
        if self.registry is None:
            buf.write(SINGLE_OBJECT_MAGIC)
            buf.write(schema.fingerprint)
        else:
            buf.write(CONFLUENT_MAGIC)
            buf.write(struct.pack(">I", self._schema_id(event.event_type)))
        schemaless_writer(buf, schema.parsed, record)
        return buf.getvalue()

    def headers(self, event: Event) -> list[tuple[str, str | bytes | None]]:
        """CloudEvents Kafka-binding headers for an encoded event (see schemas/cloudevents.py)."""
        framing = "single-object" if self.registry is None else "confluent"
        return cloudevent_headers(event, self.catalog.get(event.event_type), framing)

    def _schema_id(self, event_type: str) -> int:
        schema_id = self._registered_ids.get(event_type)
        if schema_id is None:
            assert self.registry is not None
            schema = self.catalog.get(event_type)
            subject = f"{topic_name(self.topic_prefix, schema.topic)}-{schema.raw['namespace']}.{schema.name}"
            schema_id = self.registry.register(subject, json.dumps(schema.raw))
            self._registered_ids[event_type] = schema_id
        return schema_id

    # ---------------------------------------------------------------- decode
    def event_type_of(self, data: bytes) -> str | None:
        """The event type named by the wire header, without decoding the body (None if unknown)."""
        if data[:2] == SINGLE_OBJECT_MAGIC:
            schema = self.catalog.by_fingerprint.get(data[2:10])
            return schema.name if schema is not None else None
        if data[:1] == CONFLUENT_MAGIC and len(data) >= 5:
            try:
                return str(self._registry_writer(struct.unpack(">I", data[1:5])[0])[1])
            except PoisonEvent:
                return None
        return None

    def decode(self, data: bytes) -> Event:
        """Parse bytes in either wire format into an `Event` (current schema; personal fields decrypted).

        Raises `PoisonEvent` with a reason for anything that is not a valid event.
        """
        if data[:2] == SINGLE_OBJECT_MAGIC:
            writer = self.catalog.by_fingerprint.get(data[2:10])
            if writer is None:
                raise PoisonEvent(f"unknown schema fingerprint {data[2:10].hex()}")
            writer_parsed, writer_name, body = writer.read_parsed, writer.name, data[10:]
        elif data[:1] == CONFLUENT_MAGIC and len(data) >= 5:
            (schema_id,) = struct.unpack(">I", data[1:5])
            writer_parsed, writer_name = self._registry_writer(schema_id)
            body = data[5:]
        else:
            raise PoisonEvent("not an Avro single-object or Confluent-framed message")
        reader = self.catalog.by_name.get(writer_name)
        if reader is None:
            raise PoisonEvent(f"unknown event type {writer_name!r}")
        try:
            reader_parsed = None if writer_parsed is reader.read_parsed else reader.read_parsed
            record = schemaless_reader(io.BytesIO(body), writer_parsed, reader_parsed)
        except Exception as exc:  # fastavro raises many types on truncated/garbled bodies
            raise PoisonEvent(f"Avro body does not match schema {writer_name}: {exc!r}") from exc
        if not isinstance(record, dict) or record.get("event_type") != writer_name:
            raise PoisonEvent(f"event_type field does not match schema {writer_name}")
        subject_id = record["subject_id"]
        # Read as a plain string (see catalog.without_uuid_type), so checked here as fastavro's uuid
        # logical type did: anything but a UUID is a poison event; the canonical form is lower case.
        event_id = str(record["event_id"]).lower()
        if not _UUID.fullmatch(event_id):
            raise PoisonEvent(f"event_id {event_id[:40]!r} is not a UUID")
        if not subject_id:
            raise PoisonEvent("empty subject_id")
        payload = {name: record.get(name) for name in reader.payload_fields}
        redacted: set[str] = set()
        encrypted = [n for n in reader.personal_fields if payload.get(n) is not None]
        if encrypted:
            cipher = self._cipher(subject_id)
            for name in encrypted:
                if cipher is None:
                    payload[name] = None
                    redacted.add(name)
                    continue
                blob = payload[name]
                if not isinstance(blob, bytes) or blob[:1] != _CIPHER_VERSION:
                    raise PoisonEvent(f"personal field {name} is not ciphertext")
                try:
                    plain = cipher.decrypt(blob[1:13], blob[13:], _aad(subject_id, event_id, name))
                except InvalidTag as exc:
                    raise PoisonEvent(f"personal field {name} fails authentication") from exc
                # From str: json.loads of bytes first sniffs the encoding (we always write UTF-8).
                payload[name] = json.loads(plain.decode())
        return Event.decoded(
            event_type=writer_name,
            subject_id=subject_id,
            payload=payload,
            event_id=event_id,
            occurred_at=record["occurred_at"],
            correlation_id=record["correlation_id"],
            causation_id=record["causation_id"],
            producer=record["producer"],
            schema_version=record["schema_version"],
            redacted=frozenset(redacted),
        )

    def _cipher(self, subject_id: str) -> AESGCM | None:
        """The AES-GCM cipher of the subject's current data key (None: destroyed), one object per key:
        building it per event was a measurable part of a replay. Keyed by the key bytes, so a destroyed
        or rotated key never finds a stale cipher; bounded like the key store's cache."""
        key = self.keystore.key_for_read(subject_id)
        if key is None:
            return None
        cipher = self._ciphers.get(key)
        if cipher is None:
            if len(self._ciphers) >= 50_000:
                self._ciphers.clear()
            cipher = self._ciphers[key] = AESGCM(key)
        return cipher

    def _registry_writer(self, schema_id: int) -> tuple[Any, str]:
        cached = self._registry_schemas.get(schema_id)
        if cached is None:
            if self.registry is None:
                raise PoisonEvent("Confluent-framed message but no schema registry is configured")
            try:
                raw = json.loads(self.registry.schema_by_id(schema_id))
            except Exception as exc:
                raise PoisonEvent(f"schema id {schema_id} not found in the registry: {exc!r}") from exc
            cached = (parse_schema(without_uuid_type(raw)), raw["name"])
            self._registry_schemas[schema_id] = cached
        return cached


def serde_from_settings(keystore: KeyStore, schema_registry_url: str, topic_prefix: str) -> EventSerde:
    """The serde the configuration asks for (registry-backed when a URL is set)."""
    registry = ConfluentSchemaRegistry(schema_registry_url) if schema_registry_url else None
    return EventSerde(keystore, registry=registry, topic_prefix=topic_prefix)
