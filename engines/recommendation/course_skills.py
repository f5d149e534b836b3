"""A course's skills from its own text: title, description and syllabus through the resume skill matcher
(`engines.resume_analysis.get_skill_matcher`, the same matcher resumes go through), plus the provider's tags.

Provider tags are kept as given (they are what the provider says the course teaches) and also resolved
to ESCO labels when they name one; skills found in the course's own text are reported with their ESCO
label, the label careers' missing skills use, so "courses teaching your missing skills" compare like
with like. Text mentions count only as multi-word or unambiguous phrases (the text is prose, not a
skills list); the tags are read as a skills list.
"""

from __future__ import annotations

from collections.abc import Sequence

from engines.reference_data.catalog import skills_by_id
from engines.resume_analysis import get_skill_matcher
from engines.resume_analysis.models import Section

MIN_TEXT_CONFIDENCE = 0.7


def course_skills(
    title: str, description: str = "", syllabus: str = "", tags: Sequence[str] = ()
) -> list[str]:
    """Provider tags, then the ESCO labels of skills named in the course's own text (deduplicated,
    case-insensitively; order: tags, then text skills by confidence)."""
    matcher = get_skill_matcher()
    prose = "\n".join(p for p in (title, description, syllabus) if p)
    text = prose
    sections = [Section("summary", "", 0, len(prose) + 1)]
    if tags:
        head = len(prose) + 1
        text = f"{prose}\nSkills:\n" + ", ".join(tags)
        sections.append(Section("skills", "Skills:", head, len(text) + 1))
    by_id = skills_by_id()
    out: list[str] = []
    seen: set[str] = set()

    def add(name: str) -> None:
        if name and name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)

    for tag in tags:
        add(tag.strip())
    for match in matcher.find(text, sections):
        if match.section != "skills" and match.confidence < MIN_TEXT_CONFIDENCE:
            continue
        skill = by_id.get(match.skill_id) if match.skill_id else None
        add(skill.label if skill is not None else match.name)
    return out
