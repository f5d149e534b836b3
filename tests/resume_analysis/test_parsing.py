"""Sections, dates, contact details, experience entries and education."""

from __future__ import annotations

import datetime as dt

import pytest

from engines.resume_analysis.contact import extract_contact, find_emails, find_links, find_phones
from engines.resume_analysis.dates import find_date_ranges
from engines.resume_analysis.education import (
    degree_level_of,
    extract_certifications,
    extract_education,
    highest_degree,
)
from engines.resume_analysis.experience import extract_experience, parse_header, total_months
from engines.resume_analysis.models import DegreeLevel
from engines.resume_analysis.sections import classify_heading, split_sections

AS_OF = dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("EXPERIENCE", "experience"),
        ("Work History:", "experience"),
        ("Technical Skills", "skills"),
        ("E D U C A T I O N", "education"),
        ("Licenses & Certifications", "certifications"),
        ("Professional Summary", "summary"),
        ("Built APIs in Python", None),
        ("", None),
    ],
)
def test_heading_classification(line: str, expected: str | None) -> None:
    assert classify_heading(line) == expected


def test_split_sections_offsets() -> None:
    text = "Jane\nEXPERIENCE\nEngineer\nSKILLS\nPython\n"
    sections = split_sections(text)
    assert [s.name for s in sections] == ["header", "experience", "skills"]
    assert text[sections[2].start : sections[2].end] == "SKILLS\nPython\n"


@pytest.mark.parametrize(
    ("text", "start", "end", "current", "months"),
    [
        ("Jan 2019 – Present", "2019-01", None, True, 66),
        ("03/2017 - 11/2020", "2017-03", "2020-11", False, 45),
        ("2015-2019", "2015-01", "2019-12", False, 60),
        ("Sept. 2018 to June 2020", "2018-09", "2020-06", False, 22),
        ("2019-01 — 2020-03", "2019-01", "2020-03", False, 15),
    ],
)
def test_date_ranges(text: str, start: str, end: str | None, current: bool, months: int) -> None:
    (found,) = find_date_ranges(f"Engineer | {text}")
    assert found.start.iso() == start
    assert (found.end.iso() if found.end else None) == end
    assert found.is_current is current and found.months(AS_OF) == months


def test_date_ranges_ignore_phone_numbers_and_reversed_ranges() -> None:
    assert find_date_ranges("Call 555-2019 now") == []
    assert find_date_ranges("2021 - 2019") == []


def test_contact_extraction() -> None:
    text = (
        "Jane Doe\nAustin, TX | Jane.Doe@Example.COM | (512) 555-0147 | +44 20 7946 0958\n"
        "https://janedoe.dev, linkedin.com/in/jane-doe\nEXPERIENCE\n2015 - 2019 Engineer\n"
    )
    contact = extract_contact(text, text.split("EXPERIENCE")[0], "")
    assert contact.name == "Jane Doe"
    assert contact.emails == ["Jane.Doe@example.com"]
    assert contact.phones == ["5125550147", "+442079460958"]
    assert contact.location == "Austin, TX"
    assert contact.links == ["https://janedoe.dev", "linkedin.com/in/jane-doe"]
    assert not contact.in_header_footer


def test_phone_finder_rejects_years_and_ids() -> None:
    assert find_phones("2015 – 2019, 2019 2020 2021, order 123456789012345") == []
    assert find_phones("tel: 0049 30 1234567") == ["+49301234567"]
    assert find_emails("no email here @ all") == []
    assert find_links("mail me: a@b.com") == []


@pytest.mark.parametrize(
    ("lines", "title", "employer", "location"),
    [
        (["Senior Software Engineer | Acme Corp"], "Senior Software Engineer", "Acme Corp", None),
        (["Acme Health — Austin, TX", "Registered Nurse"], "Registered Nurse", "Acme Health", "Austin, TX"),
        (["Data Analyst at Globex"], "Data Analyst", "Globex", None),
        (["Teacher, Lincoln High School"], "Teacher", "Lincoln High School", None),
    ],
)
def test_parse_header_shapes(lines: list[str], title: str, employer: str, location: str | None) -> None:
    assert parse_header(lines) == (title, employer, location)


def test_experience_entries_bullets_and_undated() -> None:
    body = (
        "Senior Engineer | Acme Corp | Jan 2020 - Present\n• Built things for 20 teams\n"
        "that span two lines\nEngineer, Globex Inc.\n03/2016 - 12/2019\n- Did work\n"
        "Intern\nInitech LLC\n* Fetched coffee for the team\n"
    )
    entries = extract_experience(body, AS_OF)
    assert [(e.title, e.employer) for e in entries] == [
        ("Senior Engineer", "Acme Corp"),
        ("Engineer", "Globex Inc."),
        ("Intern", "Initech LLC"),
    ]
    assert entries[0].is_current and entries[0].months == 54
    assert entries[0].bullets == ["Built things for 20 teams that span two lines"]
    assert entries[1].start == "2016-03" and entries[1].end == "2019-12"
    assert entries[2].start is None  # undated position
    assert total_months(entries) == 54 + 46


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("Ph.D. in Physics", DegreeLevel.DOCTORATE),
        ("Master of Science in Nursing", DegreeLevel.MASTER),
        ("MBA, Wharton", DegreeLevel.MASTER),
        ("BSc (Hons) Computing", DegreeLevel.BACHELOR),
        ("B.A. in History", DegreeLevel.BACHELOR),
        ("Associate of Applied Science", DegreeLevel.ASSOCIATE),
        ("High School Diploma", DegreeLevel.HIGH_SCHOOL),
        ("GED", DegreeLevel.HIGH_SCHOOL),
        ("Sales Associate", DegreeLevel.NONE),
        ("Senior Data Analyst", DegreeLevel.NONE),
    ],
)
def test_degree_levels(line: str, level: DegreeLevel) -> None:
    assert degree_level_of(line) is level


def test_education_entries_and_certifications() -> None:
    body = (
        "M.Sc. in Computer Science, Technical University of Munich, 2016\n"
        "B.Sc. Informatics\nUniversity of Hamburg, 2011 – 2014\n"
    )
    entries = extract_education(body)
    assert [e.degree_level for e in entries] == [DegreeLevel.MASTER, DegreeLevel.BACHELOR]
    assert entries[0].institution == "Technical University of Munich" and entries[0].end == "2016-12"
    assert entries[0].field_of_study == "Computer Science"
    assert entries[1].institution == "University of Hamburg" and entries[1].start == "2011-01"
    assert highest_degree(entries, "") is DegreeLevel.MASTER
    assert highest_degree([], "Education: PhD in Biology") is DegreeLevel.DOCTORATE
    assert extract_certifications("• AWS Certified Developer, 2021\n- CPA\n", "") == [
        "AWS Certified Developer",
        "CPA",
    ]
    assert extract_certifications(None, "Intro\nCertified ScrumMaster\n") == ["Certified ScrumMaster"]
