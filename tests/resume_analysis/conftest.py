"""Shared fixtures: a small skill catalog (fast matcher) and document builders."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from engines.resume_analysis.skills import SkillMatcher


@dataclass(frozen=True)
class FakeSkill:
    id: str
    label: str
    alt_labels: tuple[str, ...] = ()


SMALL_CATALOG = [
    FakeSkill("esco:python", "Python (computer programming)", ("Python",)),
    FakeSkill("esco:js", "JavaScript", ("JavaScripts",)),
    FakeSkill("esco:pm", "manage projects", ("project management", "managing projects")),
    FakeSkill("esco:med", "administer medication", ("give medication",)),
    FakeSkill("esco:data", "data", ()),
    FakeSkill("esco:tls", "ICT encryption", ("TLS",)),
    FakeSkill("esco:access", "database access", ("access",)),
]


@pytest.fixture(scope="session")
def small_matcher() -> SkillMatcher:
    return SkillMatcher(SMALL_CATALOG)
