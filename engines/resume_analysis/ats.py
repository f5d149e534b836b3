"""ATS compatibility: format, structure, content and keyword checks with concrete findings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import (
    ATSReport,
    ContactInfo,
    ExperienceEntry,
    FileType,
    Finding,
    KeywordReport,
    LayoutFacts,
    Section,
    SkillMatch,
)
from .skills import SkillMatcher

# Fonts every ATS and every machine renders the same way.
STANDARD_FONTS = (
    "arial",
    "helvetica",
    "calibri",
    "times",
    "georgia",
    "garamond",
    "cambria",
    "verdana",
    "tahoma",
    "liberation",
    "dejavu",
    "roboto",
    "open sans",
    "lato",
    "source sans",
    "aptos",
    "segoe",
    "courier",
    "symbol",
    "zapfdingbats",
    "book antiqua",
    "palatino",
    "trebuchet",
)
_NUMBER_RE = re.compile(r"\d|%|\$|€|£")


@dataclass
class _Scored:
    score: float
    findings: list[Finding]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def format_checks(layout: LayoutFacts, contact: ContactInfo) -> _Scored:
    """Physical-format risks for ATS parsers (columns, tables, text boxes, header/footer, length)."""
    score = 100.0
    findings: list[Finding] = []
    if layout.multi_column:
        score -= 20
        findings.append(
            Finding(
                "format",
                "critical",
                "multi_column",
                f"{layout.column_count}-column layout: most ATS read straight across columns, "
                "mixing lines from different sections. Use a single column.",
            )
        )
    if layout.tables:
        score -= min(15, 5 * layout.tables)
        findings.append(
            Finding(
                "format",
                "warning",
                "tables",
                f"{_plural(layout.tables, 'table')}: many ATS flatten or skip table cells; "
                "put the content in plain paragraphs.",
            )
        )
    if layout.text_boxes:
        score -= 15
        findings.append(
            Finding(
                "format",
                "critical",
                "text_boxes",
                f"{_plural(layout.text_boxes, 'text box')}: text in text boxes is skipped by many ATS.",
            )
        )
    if layout.images:
        score -= 5 if layout.images < 3 else 10
        findings.append(
            Finding(
                "format",
                "warning",
                "images",
                f"{_plural(layout.images, 'image')}: graphics carry no text an ATS can read; "
                "never put information (skills bars, icons with contact details) in images.",
            )
        )
    if contact.in_header_footer:
        score -= 15
        findings.append(
            Finding(
                "format",
                "critical",
                "contact_in_header_footer",
                "Contact details in the page header/footer are skipped by many ATS; move them "
                "into the body under your name.",
            )
        )
    if layout.page_count > 2:
        score -= 10 if layout.page_count == 3 else 20
        findings.append(
            Finding(
                "format",
                "warning",
                "too_long",
                f"{layout.page_count} pages: recruiters and ATS rankings favour 1-2 pages.",
            )
        )
    odd_fonts = [f for f in layout.fonts if not any(s in f.lower() for s in STANDARD_FONTS)]
    if odd_fonts:
        score -= 5
        findings.append(
            Finding(
                "format",
                "info",
                "non_standard_fonts",
                f"Non-standard fonts ({', '.join(odd_fonts[:3])}) may be substituted or "
                "garbled; prefer Arial, Calibri, Helvetica or Times.",
            )
        )
    if len(layout.fonts) > 4:
        score -= 3
        findings.append(
            Finding(
                "format", "info", "many_fonts", f"{len(layout.fonts)} fonts in one document; two are enough."
            )
        )
    if layout.word_count < 150:
        score -= 15
        findings.append(
            Finding(
                "format",
                "warning",
                "too_short",
                f"Only {layout.word_count} words: too little for an ATS to rank.",
            )
        )
    if layout.file_type is FileType.TXT:
        findings.append(
            Finding(
                "format",
                "info",
                "plain_text",
                "Plain text parses reliably but loses all formatting; send PDF or DOCX to people.",
            )
        )
    return _Scored(max(0.0, score), findings)


def structure_checks(
    sections: list[Section], contact: ContactInfo, experience: list[ExperienceEntry]
) -> _Scored:
    """Section and entry completeness: headings, contact, dates, titles, bullets."""
    score = 100.0
    findings: list[Finding] = []
    names = {s.name for s in sections}
    for name, penalty, message in (
        ("experience", 25, 'No work experience section found; use a heading such as "Experience".'),
        ("education", 10, 'No education section found; use a heading such as "Education".'),
        ("skills", 15, 'No skills section: ATS keyword matching relies on one. Add a "Skills" heading.'),
    ):
        if name not in names:
            score -= penalty
            findings.append(
                Finding("structure", "critical" if penalty >= 20 else "warning", f"missing_{name}", message)
            )
    if "summary" not in names:
        score -= 3
        findings.append(
            Finding(
                "structure",
                "info",
                "missing_summary",
                "No summary: two or three lines on your target role help recruiters.",
            )
        )
    if not contact.emails:
        score -= 15
        findings.append(Finding("structure", "critical", "missing_email", "No email address found."))
    if not contact.phones:
        score -= 8
        findings.append(Finding("structure", "warning", "missing_phone", "No phone number found."))
    undated = sum(1 for e in experience if e.start is None)
    if undated:
        score -= min(20, 5 * undated)
        findings.append(
            Finding(
                "structure",
                "warning",
                "undated_positions",
                f"No dates on {_plural(undated, 'position')}: ATS compute experience from "
                'start and end dates (e.g. "Jan 2020 – Mar 2023").',
            )
        )
    untitled = sum(1 for e in experience if not e.title or not e.employer)
    if untitled:
        score -= min(15, 5 * untitled)
        findings.append(
            Finding(
                "structure",
                "warning",
                "incomplete_positions",
                f"{_plural(untitled, 'position')} without a clear job title and employer.",
            )
        )
    no_bullets = sum(1 for e in experience if not e.bullets)
    if no_bullets:
        score -= min(10, 3 * no_bullets)
        findings.append(
            Finding(
                "structure",
                "info",
                "positions_without_bullets",
                f"{_plural(no_bullets, 'position')} without bullet points describing the work.",
            )
        )
    return _Scored(max(0.0, score), findings)


def content_checks(experience: list[ExperienceEntry], skills: list[SkillMatch]) -> _Scored:
    """Bullet quality (numbers, length) and breadth of recognisable skills."""
    bullets = [b for e in experience for b in e.bullets]
    findings: list[Finding] = []
    score = 100.0
    if bullets:
        quantified = sum(1 for b in bullets if _NUMBER_RE.search(b))
        ratio = quantified / len(bullets)
        if ratio < 0.3:
            score -= 25 * (1 - ratio / 0.3)
            findings.append(
                Finding(
                    "content",
                    "warning",
                    "few_metrics",
                    f"Only {quantified} of {len(bullets)} bullets contain a number; quantify "
                    "results (%, $, time saved, team size).",
                )
            )
        long_bullets = sum(1 for b in bullets if len(b.split()) > 35)
        if long_bullets:
            score -= min(10, 2 * long_bullets)
            findings.append(
                Finding(
                    "content",
                    "info",
                    "long_bullets",
                    f"{_plural(long_bullets, 'bullet')} longer than 35 words; keep bullets to "
                    "one or two lines.",
                )
            )
    else:
        score -= 30
        findings.append(
            Finding("content", "warning", "no_bullets", "No bullet points found under your positions.")
        )
    if len(skills) < 6:
        score -= 20
        findings.append(
            Finding(
                "content",
                "warning",
                "few_skills",
                f"Only {_plural(len(skills), 'recognised skill')}; name tools and methods explicitly.",
            )
        )
    return _Scored(max(0.0, score), findings)


def keyword_report(
    skills: list[SkillMatch],
    matcher: SkillMatcher,
    text: str,
    *,
    target_skills: list[str] | None,
    job_description: str | None,
) -> KeywordReport | None:
    """Matched / missing keywords against a target role's skills or a pasted job description."""
    found = {s.name.lower() for s in skills}
    wanted: list[str]
    source: str
    if target_skills:
        source = "target_skills"
        wanted = []
        for raw in target_skills:
            concept = matcher.resolve(raw)
            name = concept.name if concept is not None else raw.strip()
            if name and name not in wanted:
                wanted.append(name)
    elif job_description:
        source = "job_description"
        wanted = [m.name for m in matcher.find(job_description, None, min_confidence=0.0)]
        wanted = sorted(dict.fromkeys(wanted), key=str.lower)
    else:
        return None
    lowered_text = text.lower()
    matched: list[str] = []
    missing: list[str] = []
    for name in wanted:
        in_text = re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered_text) is not None
        (matched if name.lower() in found or in_text else missing).append(name)
    score = 100.0 * len(matched) / len(wanted) if wanted else 100.0
    return KeywordReport(source=source, matched=matched, missing=missing, score=round(score, 1))  # type: ignore[arg-type]


def ats_report(
    layout: LayoutFacts,
    sections: list[Section],
    contact: ContactInfo,
    experience: list[ExperienceEntry],
    skills: list[SkillMatch],
    keywords: KeywordReport | None,
) -> tuple[ATSReport, float]:
    """Build the ATS report; also returns the content score used by the overall score."""
    fmt = format_checks(layout, contact)
    struct = structure_checks(sections, contact, experience)
    content = content_checks(experience, skills)
    findings = fmt.findings + struct.findings + content.findings
    if keywords is not None and keywords.missing:
        findings.append(
            Finding(
                "keywords",
                "warning" if keywords.score < 60 else "info",
                "missing_keywords",
                f"Missing {len(keywords.missing)} of {len(keywords.matched) + len(keywords.missing)} "
                f"target keywords: {', '.join(keywords.missing[:8])}"
                + ("..." if len(keywords.missing) > 8 else ""),
            )
        )
    report = ATSReport(
        format_score=round(fmt.score, 1),
        structure_score=round(struct.score, 1),
        keyword_score=keywords.score if keywords else None,
        keywords=keywords,
        findings=findings,
    )
    return report, round(content.score, 1)
