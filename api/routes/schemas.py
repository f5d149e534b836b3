"""The published event contract, served so consumers can fetch writer schemas by fingerprint.

Public (no token): the schemas are the contract downstream consumers decode the log with, they hold no
personal data (only field names and types), and `docs/events.md` publishes the same content."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Request, status

from api.errors import responses
from api.models import SchemaInfo
from schemas.catalog import load_catalog, topic_name

router = APIRouter(prefix="/schemas", tags=["schemas"])


@router.get("", response_model=list[SchemaInfo])
def list_schemas(request: Request) -> list[SchemaInfo]:
    """Current schema of every event type (fingerprint = CRC-64-AVRO, little-endian hex, as on the wire)."""
    prefix = request.app.state.settings.topic_prefix
    return [
        SchemaInfo(
            event_type=s.name,
            version=s.version,
            topic=topic_name(prefix, s.topic),
            fingerprint=s.fingerprint_hex,
            personal_fields=sorted(s.personal_fields),
        )
        for s in sorted(load_catalog().by_name.values(), key=lambda s: s.name)
    ]


@router.get("/{fingerprint}", responses=responses(404, 422))
def get_schema(fingerprint: str = Path(pattern=r"^[0-9a-fA-F]{16}$")) -> dict[str, Any]:
    """The Avro schema (current or released) with this fingerprint."""
    schema = load_catalog().by_fingerprint.get(bytes.fromhex(fingerprint))
    if schema is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no schema with fingerprint {fingerprint}")
    return schema.raw
