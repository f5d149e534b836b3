"""CourseRecord: validation, payload shape, stable content hash."""

from __future__ import annotations

import dataclasses

import pytest

from engines.course_search.record import CourseRecord, CourseRemoval, MalformedRecordError

FIELDS = [
    "course_id",
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
    "provider_updated_at",
    "content_hash",
]


def make(**overrides: object) -> CourseRecord:
    fields: dict[str, object] = {
        "provider": "coursera",
        "provider_course_id": "ml-101",
        "title": "Machine Learning",
        "description": "Learn ML.",
        "skills": ["Python", "Statistics"],
        "level": "beginner",
        "price": 49.0,
        "currency": "usd",
        "duration_hours": 12.0,
        "provider_updated_at": 1,
    }
    fields.update(overrides)
    return CourseRecord.create(**fields)  # type: ignore[arg-type]


def test_payload_has_exactly_the_event_fields() -> None:
    record = make()
    payload = record.to_payload()
    assert list(payload) == FIELDS
    assert payload["course_id"] == "coursera:ml-101"
    assert payload["currency"] == "USD"
    assert payload["is_free"] is False
    assert len(payload["content_hash"]) == 64


def test_hash_ignores_skill_order_whitespace_and_update_time() -> None:
    a = make()
    b = make(
        skills=[" Statistics ", "Python", "python"], title="  Machine   Learning ", provider_updated_at=99
    )
    assert a.content_hash == b.content_hash


def test_hash_changes_with_content() -> None:
    assert make().content_hash != make(title="Machine Learning II").content_hash
    assert make().content_hash != make(price=59.0).content_hash
    assert make().content_hash != make(availability="archived").content_hash


def test_zero_price_means_free() -> None:
    assert make(price=0.0).is_free is True


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": ""},
        {"provider_course_id": ""},
        {"level": "expert"},
        {"price": -1.0},
        {"duration_hours": float("nan")},
        {"availability": "soon"},
    ],
)
def test_invalid_records_are_rejected(overrides: dict[str, object]) -> None:
    with pytest.raises(MalformedRecordError):
        make(**overrides)


def test_payload_round_trip() -> None:
    record = make()
    assert CourseRecord.from_payload(record.to_payload()) == record


def test_removal_payload() -> None:
    removal = CourseRemoval("edx:X", "edx", "missing from full sync")
    assert removal.to_payload() == {
        "course_id": "edx:X",
        "provider": "edx",
        "reason": "missing from full sync",
    }
    assert [f.name for f in dataclasses.fields(CourseRemoval)] == ["course_id", "provider", "reason"]
