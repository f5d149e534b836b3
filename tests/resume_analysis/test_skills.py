"""Skill matcher: ESCO labels/alt labels, tech aliases, casing rules, spans and confidence."""

from __future__ import annotations

from engines.resume_analysis.sections import split_sections
from engines.resume_analysis.skills import SkillMatcher, display_name, get_skill_matcher


def _names(matcher: SkillMatcher, text: str) -> dict[str, float]:
    return {m.name: m.confidence for m in matcher.find(text, split_sections(text))}


def test_aliases_map_to_canonical_names(small_matcher: SkillMatcher) -> None:
    text = "EXPERIENCE\n- Ran k8s clusters and Postgres, wrote JS and golang services\n"
    names = _names(small_matcher, text)
    assert {"Kubernetes", "PostgreSQL", "JavaScript", "Go"} <= set(names)


def test_esco_alias_linking_and_display_name(small_matcher: SkillMatcher) -> None:
    match = small_matcher.find("SKILLS\nPython, project management\n", None)
    by_name = {m.name: m for m in match}
    # The tech alias "Python" and the ESCO skill are one concept with the ESCO id.
    assert by_name["Python"].skill_id == "esco:python"
    # The curated "Project Management" links to the ESCO skill that has it as an alt label.
    assert by_name["Project Management"].skill_id == "esco:pm"
    assert display_name("Python (computer programming)") == "Python"


def test_spans_point_at_the_text(small_matcher: SkillMatcher) -> None:
    text = "SKILLS\nDocker, Administer Medication\n"
    for m in small_matcher.find(text, split_sections(text)):
        assert text[m.start : m.end] == m.text
        assert m.section == "skills"


def test_ambiguous_words_only_count_in_skills_section(small_matcher: SkillMatcher) -> None:
    prose = "EXPERIENCE\n- Go to market with the data team; got access to R&D; used TLS and R\n"
    names = _names(small_matcher, prose)
    assert "Go" not in names and "R" not in names and "data" not in names
    assert "database access" not in names  # lower-case one-word ESCO alt labels are dropped entirely
    assert "ICT encryption" in names  # "TLS" in capitals is a real mention
    listed = _names(small_matcher, "SKILLS\nGo, R, data\n")
    assert {"Go", "R"} <= set(listed)
    assert "data" not in listed  # a common word alone is never a skill, even in a skills list


def test_confidence_prefers_skills_section_and_repeats(small_matcher: SkillMatcher) -> None:
    text = "EXPERIENCE\n- Built Docker images\nEDUCATION\nCourse on Terraform\nSKILLS\nPython\n"
    found = {m.name: m for m in small_matcher.find(text, split_sections(text))}
    assert found["Python"].confidence > found["Docker"].confidence
    assert "Terraform" not in found  # education-only mention falls under the threshold
    again = {
        m.name: m
        for m in small_matcher.find(text + "SKILLS\nDocker\n", split_sections(text + "SKILLS\nDocker\n"))
    }
    assert again["Docker"].occurrences == 2 and again["Docker"].confidence > found["Docker"].confidence


def test_resolve_free_text_names(small_matcher: SkillMatcher) -> None:
    assert small_matcher.resolve("k8s").name == "Kubernetes"  # type: ignore[union-attr]
    assert small_matcher.resolve("Give medication").name == "administer medication"  # type: ignore[union-attr]
    assert small_matcher.resolve("underwater basket weaving") is None


def test_real_catalog_matcher_is_cached_and_finds_esco_skills() -> None:
    matcher = get_skill_matcher()
    assert get_skill_matcher() is matcher
    assert len(matcher.concepts) > 10_000
    names = {m.name for m in matcher.find("SKILLS\nPython, Kubernetes, MySQL, Ansible\n", None)}
    assert {"Python", "Kubernetes", "MySQL", "Ansible"} <= names
