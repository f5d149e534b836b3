"""The course event payload shared by every provider connector, and its stable content hash.

A ``CourseRecord`` is what a connector publishes (keyed by ``course_id``); a ``CourseRemoval`` says a
course left a provider's catalog. Both are plain dataclasses: the Avro schema owned by the event
backbone mirrors ``CourseRecord.to_payload()`` field for field.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, get_args

Level = Literal["beginner", "intermediate", "advanced", "mixed", "unknown"]
Availability = Literal["available", "upcoming", "archived"]

LEVELS: tuple[str, ...] = get_args(Level)
AVAILABILITIES: tuple[str, ...] = get_args(Availability)

# Fields that describe the course itself. provider_updated_at is deliberately left out: a provider
# bumping its timestamp without changing anything must not look like a change downstream.
CONTENT_FIELDS: tuple[str, ...] = (
    "provider",
    "provider_course_id",
    "title",
    "description",
    "url",
    "skills",
    "level",
    "language",
    "duration_hours",
    "price",
    "currency",
    "is_free",
    "availability",
)

_WS = re.compile(r"\s+")


class MalformedRecordError(ValueError):
    """A provider record that cannot be turned into a valid ``CourseRecord``."""


def normalise_text(value: str | None) -> str:
    """Collapse runs of whitespace and strip; ``None`` becomes the empty string."""
    return _WS.sub(" ", value or "").strip()


def normalise_skills(skills: list[str] | tuple[str, ...] | None) -> list[str]:
    """Trim, drop empties and case-insensitive duplicates, keep first spelling, sort case-insensitively.

    Sorting makes the list (and so the content hash) independent of the order a provider lists skills in.
    """
    seen: dict[str, str] = {}
    for raw in skills or ():
        skill = normalise_text(str(raw))
        if skill and skill.casefold() not in seen:
            seen[skill.casefold()] = skill
    return sorted(seen.values(), key=str.casefold)


def make_course_id(provider: str, provider_course_id: str) -> str:
    """The Kafka key of a course: ``<provider>:<provider_course_id>``."""
    return f"{provider}:{provider_course_id}"


def _round_or_none(value: float | None) -> float | None:
    # Rounding keeps hashes stable across float noise such as "12.30" vs 12.299999.
    return None if value is None else round(float(value), 4)


def compute_content_hash(fields: dict[str, Any]) -> str:
    """sha256 (hex) of the canonical JSON of the content fields; stable across runs and key order."""
    canonical = {name: fields.get(name) for name in CONTENT_FIELDS}
    blob = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CourseRecord:
    """One course as published on the course topic. Build it with ``CourseRecord.create``."""

    course_id: str
    provider: str
    provider_course_id: str
    title: str
    description: str
    url: str
    skills: list[str]
    level: str
    language: str
    duration_hours: float | None
    price: float | None
    currency: str | None
    is_free: bool
    availability: str
    provider_updated_at: int | None
    content_hash: str = field(default="")

    @classmethod
    def create(
        cls,
        *,
        provider: str,
        provider_course_id: str,
        title: str,
        description: str = "",
        url: str = "",
        skills: list[str] | tuple[str, ...] | None = None,
        level: str = "unknown",
        language: str = "en",
        duration_hours: float | None = None,
        price: float | None = None,
        currency: str | None = None,
        is_free: bool | None = None,
        availability: str = "available",
        provider_updated_at: int | None = None,
    ) -> CourseRecord:
        """Validate and normalise the fields, derive ``course_id``, ``is_free`` (if not given) and the hash.

        Raises ``MalformedRecordError`` when a required field is missing or a value is out of range.
        """
        provider = normalise_text(provider)
        pcid = normalise_text(str(provider_course_id)) if provider_course_id is not None else ""
        title = normalise_text(title)
        if not provider:
            raise MalformedRecordError("missing provider")
        if not pcid:
            raise MalformedRecordError("missing provider course id")
        if not title:
            raise MalformedRecordError(f"{pcid}: missing title")
        level = (level or "unknown").strip().lower()
        if level not in LEVELS:
            raise MalformedRecordError(f"{pcid}: unknown level {level!r}")
        availability = (availability or "available").strip().lower()
        if availability not in AVAILABILITIES:
            raise MalformedRecordError(f"{pcid}: unknown availability {availability!r}")
        for name, value in (("duration_hours", duration_hours), ("price", price)):
            if value is not None and (not math.isfinite(float(value)) or float(value) < 0):
                raise MalformedRecordError(f"{pcid}: {name} must be a non-negative number, got {value!r}")
        price_r = _round_or_none(price)
        currency_n = (normalise_text(currency).upper() or None) if currency else None
        free = bool(is_free) if is_free is not None else (price_r is not None and price_r == 0.0)
        fields: dict[str, Any] = {
            "provider": provider,
            "provider_course_id": pcid,
            "title": title,
            "description": normalise_text(description),
            "url": normalise_text(url),
            "skills": normalise_skills(skills),
            "level": level,
            "language": (normalise_text(language) or "und").lower(),
            "duration_hours": _round_or_none(duration_hours),
            "price": price_r,
            "currency": currency_n,
            "is_free": free,
            "availability": availability,
        }
        return cls(
            course_id=make_course_id(provider, pcid),
            provider_updated_at=int(provider_updated_at) if provider_updated_at is not None else None,
            content_hash=compute_content_hash(fields),
            **fields,
        )

    def to_payload(self) -> dict[str, Any]:
        """The event payload: exactly the dataclass fields, JSON/Avro-friendly values."""
        # A shallow copy: every field is a scalar except skills (a tuple). `dataclasses.asdict` deep-copies
        # recursively and was a third of the sync engine's CPU per course.
        payload = {name: getattr(self, name) for name in _RECORD_FIELDS}
        payload["skills"] = list(self.skills)
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> CourseRecord:
        """Rebuild a record from ``to_payload()`` output (e.g. a consumed event); the hash is recomputed."""
        return cls.create(
            provider=payload["provider"],
            provider_course_id=payload["provider_course_id"],
            title=payload["title"],
            description=payload.get("description", ""),
            url=payload.get("url", ""),
            skills=payload.get("skills") or [],
            level=payload.get("level", "unknown"),
            language=payload.get("language", "en"),
            duration_hours=payload.get("duration_hours"),
            price=payload.get("price"),
            currency=payload.get("currency"),
            is_free=payload.get("is_free"),
            availability=payload.get("availability", "available"),
            provider_updated_at=payload.get("provider_updated_at"),
        )


_RECORD_FIELDS = tuple(f.name for f in fields(CourseRecord))


@dataclass(frozen=True)
class CourseRemoval:
    """A course that disappeared from its provider's catalog (published as a removal/tombstone)."""

    course_id: str
    provider: str
    reason: str

    def to_payload(self) -> dict[str, Any]:
        """The event payload for a removal."""
        return asdict(self)


@dataclass(frozen=True)
class MalformedRecord:
    """A provider record that was skipped, with enough context to find it at the source."""

    provider: str
    raw_id: str | None
    reason: str
