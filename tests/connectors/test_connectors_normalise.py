"""Provider shape -> CourseRecord mappings."""

from __future__ import annotations

import pytest

from connectors.normalise import (
    coursera_to_record,
    edx_to_record,
    file_row_to_record,
    parse_workload_hours,
    strip_html,
)
from engines.course_search.record import MalformedRecordError
from tests.connectors.fake_provider_servers import coursera_element, edx_course


def test_coursera_mapping() -> None:
    record = coursera_to_record(coursera_element(3), "coursera")
    assert record.course_id == "coursera:crs0003"
    assert record.description == "Learn Python and SQL, part 3."
    assert record.language == "en"
    assert record.level == "beginner"
    assert record.duration_hours == 12.0
    assert (record.price, record.currency, record.is_free) == (49.0, "USD", False)
    assert record.url == "https://www.coursera.org/learn/course-3"
    assert record.provider_updated_at == 1_700_000_000_003


def test_edx_mapping_uses_best_run_and_cheapest_seat() -> None:
    record = edx_to_record(edx_course(7, modified="2024-02-01T00:00:00Z"), "edx")
    assert record.course_id == "edx:EdX+CS007"
    assert record.availability == "available"
    assert record.level == "intermediate"
    assert record.duration_hours == 24.0  # 6 weeks x 4 h/week
    assert record.is_free is True  # audit seat
    assert record.provider_updated_at == 1_706_745_600_000


def test_file_row_mapping_from_csv_strings() -> None:
    record = file_row_to_record(
        {
            "provider_course_id": "x1",
            "title": "Excel",
            "skills": "Excel; Budgeting",
            "price": "0",
            "is_free": "",
            "level": "beginner",
            "updated_at": "2024-01-01T00:00:00Z",
        },
        "import",
    )
    assert record.skills == ["Budgeting", "Excel"]
    assert record.is_free is True


@pytest.mark.parametrize(
    "element",
    [
        coursera_element(1, name=""),
        coursera_element(1, skills="Python"),
        coursera_element(1, lastUpdatedAt="yesterday"),
        "not an object",
        coursera_element(1, price={"amount": "lots"}),
    ],
)
def test_malformed_coursera_elements(element: object) -> None:
    with pytest.raises(MalformedRecordError):
        coursera_to_record(element, "coursera")


def test_workload_and_html_helpers() -> None:
    assert parse_workload_hours("4-6 hours/week", weeks=5) == 25.0
    assert parse_workload_hours("about a month") is None
    assert strip_html("<p>a &amp; b</p>").strip() == "a & b"
