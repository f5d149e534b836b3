"""Overall 0-100 resume score from the ATS sub-scores; a pure function, so it is reproducible."""

from __future__ import annotations

from .models import ATSReport, ScoreBreakdown

# Keywords only count when a target role or job description was given; otherwise the other weights are
# scaled up proportionally so the score stays on the same 0-100 range.
WEIGHTS: dict[str, float] = {"format": 0.30, "structure": 0.35, "content": 0.15, "keywords": 0.20}


def overall_score(ats: ATSReport, content_score: float) -> ScoreBreakdown:
    """Weighted mean of format, structure, content and (if present) keyword scores, rounded to an int."""
    parts = {"format": ats.format_score, "structure": ats.structure_score, "content": content_score}
    if ats.keyword_score is not None:
        parts["keywords"] = ats.keyword_score
    total_weight = sum(WEIGHTS[name] for name in parts)
    weights = {name: round(WEIGHTS[name] / total_weight, 4) for name in parts}
    value = sum(parts[name] * WEIGHTS[name] for name in parts) / total_weight
    return ScoreBreakdown(overall=round(max(0.0, min(100.0, value))), parts=parts, weights=weights)
