"""Improvement feedback: an LLM (any OpenAI-compatible endpoint) with a deterministic rule-based fallback.

The prompt is built from extracted *facts* (scores, findings, job titles, skill names, durations), never
from the raw resume text, and never contains the name, email, phone, links or location.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from .models import ATSReport, DegreeLevel, ExperienceEntry, Feedback, ScoreBreakdown, SkillMatch

log = logging.getLogger(__name__)

_SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
SYSTEM_PROMPT = (
    "You are a concise career coach reviewing a resume for ATS compatibility. You receive structured facts "
    "extracted from the resume, not the resume itself. Reply with JSON only: "
    '{"summary": "<2-3 sentences>", "suggestions": ["<specific, actionable suggestion>", ...]} '
    "with at most 6 suggestions, most important first."
)


@dataclass(frozen=True)
class LLMSettings:
    """Connection settings for an OpenAI-compatible chat completions endpoint."""

    api_key: str | None = None
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    timeout_s: float = 20.0
    max_tokens: int = 600
    temperature: float = 0.0


@dataclass
class FeedbackFacts:
    """The de-identified facts the feedback is written from."""

    overall_score: int
    parts: dict[str, float]
    findings: list[tuple[str, str]]  # (severity, message)
    job_titles: list[str] = field(default_factory=list)
    months_per_position: list[int | None] = field(default_factory=list)
    total_experience_months: int = 0
    skills: list[str] = field(default_factory=list)
    highest_degree: str = "none"
    sections: list[str] = field(default_factory=list)
    missing_keywords: list[str] = field(default_factory=list)
    matched_keywords: list[str] = field(default_factory=list)


def build_facts(
    score: ScoreBreakdown,
    ats: ATSReport,
    experience: list[ExperienceEntry],
    skills: list[SkillMatch],
    highest_degree: DegreeLevel,
    sections: list[str],
    total_months: int,
) -> FeedbackFacts:
    """Collect prompt facts; personal identifiers are simply never copied in."""
    findings: list[tuple[str, str]] = sorted(
        ((f.severity, f.message) for f in ats.findings), key=lambda f: _SEVERITY_ORDER[f[0]]
    )
    return FeedbackFacts(
        overall_score=score.overall,
        parts=dict(score.parts),
        findings=findings,
        job_titles=[e.title for e in experience if e.title],
        months_per_position=[e.months for e in experience],
        total_experience_months=total_months,
        skills=[s.name for s in skills[:40]],
        highest_degree=highest_degree.label,
        sections=sections,
        missing_keywords=list(ats.keywords.missing) if ats.keywords else [],
        matched_keywords=list(ats.keywords.matched) if ats.keywords else [],
    )


def build_prompt(facts: FeedbackFacts) -> str:
    """User message for the LLM: a JSON document of facts plus the task."""
    payload = {
        "overall_score": facts.overall_score,
        "score_parts": facts.parts,
        "ats_findings": [f"[{sev}] {msg}" for sev, msg in facts.findings],
        "job_titles_most_recent_first": facts.job_titles,
        "months_per_position": facts.months_per_position,
        "total_experience_months": facts.total_experience_months,
        "skills_found": facts.skills,
        "highest_degree": facts.highest_degree,
        "sections_present": facts.sections,
        "target_keywords_missing": facts.missing_keywords,
        "target_keywords_matched": facts.matched_keywords,
    }
    return (
        "Facts extracted from a resume (personal details removed):\n"
        + json.dumps(payload, indent=1)
        + "\n\nWrite the feedback JSON."
    )


def rule_feedback(facts: FeedbackFacts, fallback_reason: str | None = None) -> Feedback:
    """Deterministic feedback from the findings; used without an API key or when the LLM fails."""
    if facts.overall_score >= 80:
        verdict = "The resume is in good shape for ATS screening"
    elif facts.overall_score >= 60:
        verdict = "The resume is readable by most ATS but has fixable gaps"
    else:
        verdict = "The resume is at risk of being mis-parsed or ranked low by ATS"
    weakest = min(facts.parts.items(), key=lambda kv: kv[1])
    summary = (
        f"{verdict} (score {facts.overall_score}/100). The weakest area is {weakest[0]} "
        f"({weakest[1]:.0f}/100)."
    )
    suggestions = [msg for sev, msg in facts.findings if sev in ("critical", "warning")]
    if facts.missing_keywords:
        suggestions.insert(
            0,
            "Where true for you, mention these target keywords explicitly: "
            + ", ".join(facts.missing_keywords[:10])
            + ".",
        )
    if not suggestions:
        suggestions = [msg for _, msg in facts.findings][:3] or [
            "Keep tailoring the skills section and the top bullets to each job description."
        ]
    return Feedback(
        source="rules",
        summary=summary,
        suggestions=suggestions[:8],
        model=None,
        fallback_reason=fallback_reason,
    )


def _parse_llm_content(content: str) -> tuple[str, list[str]]:
    """Read the JSON the model was asked for; tolerate code fences and plain-text answers."""
    text = content.strip()
    fenced = re.search(r"\{.*\}", text, re.DOTALL)
    if fenced:
        try:
            data = json.loads(fenced.group(0))
            summary = str(data.get("summary", "")).strip()
            suggestions = [str(s).strip() for s in data.get("suggestions", []) if str(s).strip()]
            if summary or suggestions:
                return summary, suggestions
        except (json.JSONDecodeError, AttributeError, TypeError):
            pass
    lines = [ln.strip(" -*•\t") for ln in text.splitlines() if ln.strip()]
    return (lines[0] if lines else ""), lines[1:7]


def llm_feedback(facts: FeedbackFacts, settings: LLMSettings) -> Feedback:
    """Ask the LLM; raise on any transport/format problem (the caller falls back)."""
    # The OpenAI client takes 0.8 s to import, paid at every worker start, for an LLM few stacks have.
    # lazy: imported when an LLM is asked
    from openai import OpenAI

    client = OpenAI(
        api_key=settings.api_key, base_url=settings.base_url, timeout=settings.timeout_s, max_retries=0
    )
    response = client.chat.completions.create(
        model=settings.model,
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": build_prompt(facts)},
        ],
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
    )
    content = response.choices[0].message.content or ""
    summary, suggestions = _parse_llm_content(content)
    if not summary and not suggestions:
        raise ValueError("empty LLM response")
    return Feedback(
        source="llm", summary=summary, suggestions=suggestions, model=response.model or settings.model
    )


def generate_feedback(facts: FeedbackFacts, settings: LLMSettings | None) -> Feedback:
    """LLM feedback when an API key is configured, else (or on any failure/timeout) rule-based feedback."""
    if settings is None or not settings.api_key:
        return rule_feedback(facts, fallback_reason="no_api_key")
    try:
        return llm_feedback(facts, settings)
    except Exception as exc:  # timeouts, HTTP errors, malformed bodies: the user still gets feedback
        kind = type(exc).__name__
        reason = "timeout" if "timeout" in kind.lower() else f"llm_error:{kind}"
        log.warning("LLM feedback failed (%s); using rule-based feedback", kind)
        return rule_feedback(facts, fallback_reason=reason)
