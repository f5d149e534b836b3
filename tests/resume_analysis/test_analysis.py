"""End-to-end analyze(): findings, keyword matching, scores, failure results and determinism."""

from __future__ import annotations

import datetime as dt
import json

from careerstream.corpora.resumes import generate_resume
from engines.resume_analysis import analyze
from engines.resume_analysis.models import DegreeLevel, RejectionCode
from engines.resume_analysis.scoring import overall_score

from .builders import RESUME_LINES, make_docx, make_pdf

AS_OF = dt.date(2024, 6, 1)


def test_analyze_pdf_extracts_fields(small_matcher) -> None:  # type: ignore[no-untyped-def]
    result = analyze(make_pdf(RESUME_LINES), "cv.pdf", as_of=AS_OF, matcher=small_matcher)
    assert result.status == "completed" and result.rejection is None
    assert result.contact is not None and result.contact.emails == ["jane.doe@example.com"]
    assert result.contact.phones == ["5125550147"]
    assert [(e.title, e.employer) for e in result.experience] == [
        ("Senior Software Engineer", "Northwind Analytics Inc."),
        ("Software Engineer", "Globex Corporation"),
    ]
    assert result.highest_degree is DegreeLevel.BACHELOR
    assert {"Kubernetes", "Python", "Docker", "Apache Kafka"} <= {s.name for s in result.skills}
    assert result.summary and result.summary.startswith("Backend engineer")
    assert result.total_experience_months == 54 + 46  # Jan 2020-Jun 2024 and Mar 2016-Dec 2019, inclusive
    assert 0 <= result.score.overall <= 100  # type: ignore[union-attr]


def test_failed_analysis_carries_reason() -> None:
    result = analyze(b"", "empty.pdf")
    assert result.status == "failed" and result.rejection is not None
    payload = result.to_dict()
    assert payload["rejection"]["code"] == RejectionCode.EMPTY_FILE.value
    assert payload["rejection"]["http_status"] == 422
    json.dumps(payload)


def test_ats_findings_for_risky_layouts(small_matcher) -> None:  # type: ignore[no-untyped-def]
    header_contact = make_docx(RESUME_LINES[2:], header="Jane Doe | jane@x.io | 512-555-0147")
    result = analyze(header_contact, "cv.docx", matcher=small_matcher)
    codes = {f.code for f in result.ats.findings}  # type: ignore[union-attr]
    assert "contact_in_header_footer" in codes
    two_col = generate_resume(3, layout="two_column", file_format="pdf")
    result = analyze(two_col.data, two_col.filename, matcher=small_matcher)
    messages = [f.message for f in result.ats.findings]  # type: ignore[union-attr]
    assert any("2-column layout: most ATS read straight across columns" in m for m in messages)
    undated = "\n".join(
        [
            "Jane Doe",
            "jane@x.io",
            "EXPERIENCE",
            "Engineer",
            "Acme Corp",
            "- Did 5 things",
            "Analyst",
            "Globex Inc.",
            "- Did 3 things",
            "SKILLS",
            "Python",
        ]
    ).encode()
    result = analyze(undated, "cv.txt", matcher=small_matcher)
    assert any(f.message.startswith("No dates on 2 positions") for f in result.ats.findings)  # type: ignore[union-attr]


def test_keyword_match_target_skills_and_job_description(small_matcher) -> None:  # type: ignore[no-untyped-def]
    data = make_pdf(RESUME_LINES)
    result = analyze(
        data, "cv.pdf", target_skills=["k8s", "Python", "Rust", "Terraform"], matcher=small_matcher
    )
    kw = result.ats.keywords  # type: ignore[union-attr]
    assert kw is not None and kw.source == "target_skills"
    assert kw.matched == ["Kubernetes", "Python"] and kw.missing == ["Rust", "Terraform"]
    assert kw.score == 50.0 and result.score.parts["keywords"] == 50.0  # type: ignore[union-attr]
    jd = "We need strong Python and Terraform skills, plus Kubernetes experience."
    result = analyze(data, "cv.pdf", job_description=jd, matcher=small_matcher)
    kw = result.ats.keywords  # type: ignore[union-attr]
    assert kw is not None and kw.source == "job_description"
    assert set(kw.matched) == {"Python", "Kubernetes"} and kw.missing == ["Terraform"]


def test_overall_score_weights_renormalise_without_keywords(small_matcher) -> None:  # type: ignore[no-untyped-def]
    result = analyze(make_pdf(RESUME_LINES), "cv.pdf", matcher=small_matcher)
    assert result.score is not None and "keywords" not in result.score.parts
    assert abs(sum(result.score.weights.values()) - 1.0) < 1e-3
    recomputed = overall_score(result.ats, result.score.parts["content"])  # type: ignore[arg-type]
    assert recomputed == result.score


def test_analysis_is_deterministic(small_matcher) -> None:  # type: ignore[no-untyped-def]
    item = generate_resume(11, file_format="docx")
    first = analyze(item.data, item.filename, target_skills=["Python"], as_of=AS_OF, matcher=small_matcher)
    second = analyze(item.data, item.filename, target_skills=["Python"], as_of=AS_OF, matcher=small_matcher)
    assert first.to_dict() == second.to_dict()
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(second.to_dict(), sort_keys=True)
