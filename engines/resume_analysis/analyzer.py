"""The engine's single entry point: bytes of an uploaded resume in, :class:`ResumeAnalysis` out."""

from __future__ import annotations

import datetime as dt
import hashlib

from .ats import ats_report, keyword_report
from .contact import extract_contact
from .education import extract_certifications, extract_education, highest_degree
from .experience import extract_experience, total_months
from .feedback import LLMSettings, build_facts, generate_feedback
from .intake import IntakeLimits, screen
from .models import ExtractedDocument, ResumeAnalysis
from .scoring import overall_score
from .sections import section_text, split_sections
from .skills import SkillMatcher, get_skill_matcher


def analyze(
    data: bytes,
    filename: str,
    *,
    target_skills: list[str] | None = None,
    job_description: str | None = None,
    llm: LLMSettings | None = None,
    limits: IntakeLimits | None = None,
    as_of: dt.date | None = None,
    matcher: SkillMatcher | None = None,
) -> ResumeAnalysis:
    """Analyse one resume file. Never raises for bad input: rejected files give ``status="failed"``.

    ``as_of`` fixes the date "present" resolves to (month counts only; scores do not depend on it).
    ``matcher`` lets tests inject a small catalog; by default the process-wide ESCO matcher is used.
    """
    digest = hashlib.sha256(data).hexdigest()
    screened = screen(data, filename, limits)
    if screened.document is None:
        return ResumeAnalysis(
            status="failed",
            filename=filename,
            size_bytes=len(data),
            sha256=digest,
            file_type=screened.file_type,
            rejection=screened.rejection,
        )
    result = analyze_document(
        screened.document,
        target_skills=target_skills,
        job_description=job_description,
        llm=llm,
        as_of=as_of,
        matcher=matcher,
    )
    result.filename = filename
    result.size_bytes = len(data)
    result.sha256 = digest
    return result


def analyze_document(
    document: ExtractedDocument,
    *,
    target_skills: list[str] | None = None,
    job_description: str | None = None,
    llm: LLMSettings | None = None,
    as_of: dt.date | None = None,
    matcher: SkillMatcher | None = None,
) -> ResumeAnalysis:
    """Analyse already-extracted text + layout (used by :func:`analyze` and by text-only callers)."""
    as_of = as_of or dt.date.today()
    matcher = matcher or get_skill_matcher()
    text = document.text
    sections = split_sections(text, document.heading_hints)
    header_text = "\n".join(body for _, body in section_text(text, sections, "header"))
    contact = extract_contact(
        text, header_text or text[:400], document.layout.header_footer_text, document.name_hint
    )

    experience = []
    for _, body in section_text(text, sections, "experience"):
        experience.extend(extract_experience(body, as_of))
    education = []
    for _, body in section_text(text, sections, "education"):
        education.extend(extract_education(body))
    cert_bodies = [body for _, body in section_text(text, sections, "certifications")]
    certifications = extract_certifications("\n".join(cert_bodies) if cert_bodies else None, text)
    summary_bodies = [body.strip() for _, body in section_text(text, sections, "summary")]
    summary = " ".join(" ".join(summary_bodies).split())[:1000] or None

    skills = matcher.find(text, sections)
    keywords = keyword_report(
        skills, matcher, text, target_skills=target_skills, job_description=job_description
    )
    ats, content_score = ats_report(document.layout, sections, contact, experience, skills, keywords)
    score = overall_score(ats, content_score)
    degree = highest_degree(education, text)
    months = total_months(experience)
    facts = build_facts(score, ats, experience, skills, degree, sorted({s.name for s in sections}), months)
    feedback = generate_feedback(facts, llm)
    return ResumeAnalysis(
        status="completed",
        filename="",
        size_bytes=len(text.encode()),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        file_type=document.layout.file_type,
        layout=document.layout,
        sections=sections,
        contact=contact,
        summary=summary,
        experience=experience,
        education=education,
        highest_degree=degree,
        certifications=certifications,
        skills=skills,
        total_experience_months=months,
        ats=ats,
        score=score,
        feedback=feedback,
    )
