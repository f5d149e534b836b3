"""Pure mappings from each provider's own record shape to ``CourseRecord``.

No I/O here: every function takes one decoded provider record and returns a validated ``CourseRecord``
or raises ``MalformedRecordError`` (the sync engine reports and skips those).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from engines.course_search.record import CourseRecord, MalformedRecordError

_TAG = re.compile(r"<[^>]+>")
_HOURS = re.compile(r"(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*(?:hours?|hrs?|h)\b", re.I)

COURSERA_LEVELS = {
    "beginner": "beginner",
    "intermediate": "intermediate",
    "advanced": "advanced",
    "mixed": "mixed",
}
COURSERA_STATUS = {
    "launched": "available",
    "preenroll": "upcoming",
    "archived": "archived",
    "inactive": "archived",
}
EDX_LEVELS = {"introductory": "beginner", "intermediate": "intermediate", "advanced": "advanced"}
EDX_RUN_AVAILABILITY = {
    "current": "available",
    "starting soon": "upcoming",
    "upcoming": "upcoming",
    "archived": "archived",
}
# When several runs exist, the course is as available as its most available run.
_AVAILABILITY_RANK = {"available": 0, "upcoming": 1, "archived": 2}


def strip_html(text: str | None) -> str:
    """Plain text from a provider's HTML description."""
    return html.unescape(_TAG.sub(" ", text or ""))


def parse_iso_to_epoch_ms(value: str | None) -> int | None:
    """ISO-8601 timestamp (``Z`` or offset; naive means UTC) to epoch milliseconds."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MalformedRecordError(f"bad timestamp {value!r}") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def parse_workload_hours(workload: str | None, weeks: float | None = None) -> float | None:
    """Hours from a workload string: "Approx. 20 hours" -> 20; "4-6 hours/week" x 5 weeks -> 25."""
    if not workload:
        return None
    match = _HOURS.search(workload)
    if not match:
        return None
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) else low
    hours = (low + high) / 2
    if "week" in workload.lower():
        return hours * weeks if weeks else None
    return hours


def _optional_float(value: Any, what: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise MalformedRecordError(f"{what} is not a number: {value!r}") from exc


def _require_mapping(raw: Any) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise MalformedRecordError(f"record is a {type(raw).__name__}, not an object")
    return raw


def coursera_to_record(raw: Any, provider: str, site_url: str = "https://www.coursera.org") -> CourseRecord:
    """Map one element of a Coursera-style ``courses.v1`` response."""
    element = _require_mapping(raw)
    languages = element.get("primaryLanguages") or ["und"]
    if not isinstance(languages, list):
        raise MalformedRecordError(f"{element.get('id')}: primaryLanguages is not a list")
    price = element.get("price") or {}
    if not isinstance(price, Mapping):
        raise MalformedRecordError(f"{element.get('id')}: price is not an object")
    skills = element.get("skills") or []
    if not isinstance(skills, list):
        raise MalformedRecordError(f"{element.get('id')}: skills is not a list")
    level = COURSERA_LEVELS.get(str(element.get("level") or "").lower(), "unknown")
    updated = element.get("lastUpdatedAt")
    if updated is not None and not isinstance(updated, int | float):
        raise MalformedRecordError(f"{element.get('id')}: lastUpdatedAt is not epoch ms")
    slug = element.get("slug") or element.get("id")
    return CourseRecord.create(
        provider=provider,
        provider_course_id=element.get("id"),  # type: ignore[arg-type]
        title=element.get("name") or "",
        description=strip_html(element.get("description")),
        url=f"{site_url.rstrip('/')}/learn/{slug}",
        skills=[str(s) for s in skills],
        level=level,
        language=str(languages[0]).split("-")[0],
        duration_hours=parse_workload_hours(element.get("workload"), element.get("durationWeeks")),
        price=_optional_float(price.get("amount"), "price"),
        currency=price.get("currency"),
        is_free=element.get("isFree"),
        availability=COURSERA_STATUS.get(str(element.get("status") or "launched").lower(), "available"),
        provider_updated_at=int(updated) if updated is not None else None,
    )


def edx_to_record(raw: Any, provider: str) -> CourseRecord:
    """Map one result of an edX-discovery-style ``/api/v1/courses/`` response."""
    result = _require_mapping(raw)
    key = result.get("key")
    runs = result.get("course_runs") or []
    if not isinstance(runs, list):
        raise MalformedRecordError(f"{key}: course_runs is not a list")
    availability = "available"
    duration: float | None = None
    language = "und"
    prices: list[tuple[float, str | None]] = []
    if runs:
        ranked = sorted(
            runs,
            key=lambda r: _AVAILABILITY_RANK[
                EDX_RUN_AVAILABILITY.get(str(r.get("availability", "")).lower(), "archived")
            ],
        )
        best = ranked[0]
        availability = EDX_RUN_AVAILABILITY.get(str(best.get("availability", "")).lower(), "archived")
        language = str(best.get("content_language") or "und").split("-")[0]
        weeks = _optional_float(best.get("weeks_to_complete"), "weeks_to_complete")
        low = _optional_float(best.get("min_effort"), "min_effort")
        high = _optional_float(best.get("max_effort"), "max_effort")
        if weeks is not None and (low is not None or high is not None):
            per_week = ((low if low is not None else high) + (high if high is not None else low)) / 2  # type: ignore[operator]
            duration = weeks * per_week
        for seat in best.get("seats") or []:
            amount = _optional_float(seat.get("price"), "seat price")
            if amount is not None:
                prices.append((amount, seat.get("currency")))
    skills = result.get("skill_names")
    if skills is None:
        skills = [s.get("name", "") for s in result.get("skills") or [] if isinstance(s, Mapping)]
    if not isinstance(skills, list):
        raise MalformedRecordError(f"{key}: skill_names is not a list")
    cheapest = min(prices, default=None)
    return CourseRecord.create(
        provider=provider,
        provider_course_id=key,  # type: ignore[arg-type]
        title=result.get("title") or "",
        description=strip_html(result.get("short_description") or result.get("full_description")),
        url=result.get("marketing_url") or "",
        skills=[str(s) for s in skills],
        level=EDX_LEVELS.get(str(result.get("level_type") or "").lower(), "unknown"),
        language=language,
        duration_hours=duration,
        price=cheapest[0] if cheapest else None,
        currency=cheapest[1] if cheapest else None,
        availability=availability,
        provider_updated_at=parse_iso_to_epoch_ms(result.get("modified")),
    )


def file_row_to_record(raw: Any, provider: str) -> CourseRecord:
    """Map one row of a bulk import file (CSV: ``skills`` separated by ``;``; JSONL: a list)."""
    row = _require_mapping(raw)
    skills = row.get("skills") or []
    if isinstance(skills, str):
        skills = [s for s in skills.split(";")]
    is_free = row.get("is_free")
    if isinstance(is_free, str):
        is_free = {
            "true": True,
            "1": True,
            "yes": True,
            "false": False,
            "0": False,
            "no": False,
            "": None,
        }.get(is_free.strip().lower())
    updated = row.get("updated_at")
    return CourseRecord.create(
        provider=provider,
        provider_course_id=row.get("provider_course_id") or row.get("id"),  # type: ignore[arg-type]
        title=row.get("title") or "",
        description=row.get("description") or "",
        url=row.get("url") or "",
        skills=skills,
        level=row.get("level") or "unknown",
        language=row.get("language") or "en",
        duration_hours=_optional_float(row.get("duration_hours"), "duration_hours"),
        price=_optional_float(row.get("price"), "price"),
        currency=row.get("currency") or None,
        is_free=is_free,
        availability=row.get("availability") or "available",
        provider_updated_at=parse_iso_to_epoch_ms(updated) if isinstance(updated, str) else updated,
    )
