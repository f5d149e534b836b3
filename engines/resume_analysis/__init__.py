"""Resume analysis engine: pure functions from uploaded bytes to a :class:`ResumeAnalysis`.

The worker calls :func:`analyze`; everything else is exposed for tests, evaluation and the CLI.
"""

from .analyzer import analyze, analyze_document
from .feedback import LLMSettings
from .intake import IntakeLimits, screen, sniff_type
from .models import (
    ANALYZER_VERSION,
    DegreeLevel,
    FileType,
    Rejection,
    RejectionCode,
    ResumeAnalysis,
)
from .places import place_name_inputs, place_names, region_abbreviations
from .skills import SkillMatcher, get_skill_matcher

__all__ = [
    "ANALYZER_VERSION",
    "DegreeLevel",
    "FileType",
    "IntakeLimits",
    "LLMSettings",
    "Rejection",
    "RejectionCode",
    "ResumeAnalysis",
    "SkillMatcher",
    "analyze",
    "analyze_document",
    "get_skill_matcher",
    "place_name_inputs",
    "place_names",
    "region_abbreviations",
    "screen",
    "sniff_type",
]
