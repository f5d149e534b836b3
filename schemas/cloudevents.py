"""CloudEvents 1.0 Kafka protocol binding (binary content mode) for every event record.

Each record carries `ce_*` headers and a `content-type` naming its Avro schema, so a downstream
consumer can route, filter or audit by type, source, subject and time without decoding the body.
The body stays the Avro event (its envelope repeats these attributes), and the headers are derived
from it, so they never disagree.
"""

from __future__ import annotations

from schemas.catalog import EventSchema
from schemas.events import Event

SPEC_VERSION = b"1.0"
# The media type of Avro binary data (Avro specification, "Avro media type"); parameters name the
# schema and how the body is framed.
AVRO_MEDIA_TYPE = "application/avro"


def ce_type(schema: EventSchema) -> str:
    """The schema's full Avro name, e.g. `io.careerstream.events.UserRegistered`."""
    return f"{schema.raw.get('namespace', '')}.{schema.name}".lstrip(".")


# Built once per schema and framing: headers are made for every published record.
_CONTENT_TYPES: dict[tuple[bytes, str], bytes] = {}


def content_type(schema: EventSchema, framing: str) -> bytes:
    """`application/avro; schema="io.careerstream.events.UserRegistered"; version="1"; ...`"""
    key = (schema.fingerprint, framing)
    value = _CONTENT_TYPES.get(key)
    if value is None:
        value = _CONTENT_TYPES[key] = (
            f'{AVRO_MEDIA_TYPE}; schema="{ce_type(schema)}"; version="{schema.version}"; '
            f'fingerprint="{schema.fingerprint_hex}"; framing="{framing}"'
        ).encode()
    return value


def cloudevent_headers(
    event: Event, schema: EventSchema, framing: str
) -> list[tuple[str, str | bytes | None]]:
    """Binary-mode headers for one event; `framing` is `single-object` or `confluent`."""
    return [
        ("ce_specversion", SPEC_VERSION),
        ("ce_id", event.event_id.encode()),
        ("ce_type", ce_type(schema).encode()),
        ("ce_source", f"/careerstream/{event.producer}".encode()),
        ("ce_subject", event.subject_id.encode()),
        ("ce_time", event.occurred_at.isoformat(timespec="milliseconds").replace("+00:00", "Z").encode()),
        ("content-type", content_type(schema, framing)),
    ]
