"""The read side's pure parts: consistency tokens checked against the topics a projection declares, and
the skill gaps a personalised course search boosts and explains (engines/recommendation/explain.py).
The waits and reads themselves run against real stores in tests/integration."""

from __future__ import annotations

import re

import pytest

from engines.recommendation.explain import course_hit_reason, target_skill_gaps
from engines.reference_data.catalog import Career, careers_by_id
from projections.course_catalog import CourseCatalogProjection
from projections.recommendations import RecommendationProjection
from projections.registry import all_projections
from projections.resume_analyses import ResumeAnalysisProjection
from projections.user_profiles import UserProfileProjection
from queries.consistency import (
    MAX_OFFSET,
    InvalidToken,
    NotYetApplied,
    ReadModel,
    parse_token,
    token_pattern,
    token_topics,
)
from schemas.catalog import TOPIC_PARTITIONS

PREFIX = "cs"


@pytest.mark.parametrize(
    "read_model",
    [UserProfileProjection, RecommendationProjection, ResumeAnalysisProjection, CourseCatalogProjection],
)
def test_token_topics_are_the_projections_own(read_model: ReadModel) -> None:
    (declared,) = [p.topics for p in all_projections() if p.name == read_model.name]
    assert token_topics(read_model, PREFIX) == {f"{PREFIX}.{t}": TOPIC_PARTITIONS[t] for t in declared}


def test_a_token_of_a_topic_the_projection_reads_parses() -> None:
    topics = token_topics(RecommendationProjection, PREFIX)
    pos = parse_token(f"{PREFIX}.activity:0:42", topics, "recommendations")
    assert (pos.topic, pos.partition, pos.offset) == (f"{PREFIX}.activity", 0, 42)


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("nonsense", "malformed consistency token: expected"),
        (f"{PREFIX}.users:01:5", "without leading zeros"),
        (f"{PREFIX}.users:0:-0", "without leading zeros or signs"),
        (f"{PREFIX}.users:0:-1", "the offset must be between"),
        (f"{PREFIX}.courses:0:1", "which user_profiles does not read"),
        (f"{PREFIX}.users:{TOPIC_PARTITIONS['users']}:1", "has no partition"),
        (f"{PREFIX}.users:0:{MAX_OFFSET + 1}", "the offset must be between"),
    ],
)
def test_tokens_no_command_returned_are_refused(token: str, says: str) -> None:
    with pytest.raises(InvalidToken, match=re.escape(says)):
        parse_token(token, token_topics(UserProfileProjection, PREFIX), "user_profiles")


def test_the_documented_pattern_accepts_exactly_what_parses() -> None:
    topics = token_topics(UserProfileProjection, PREFIX)
    pattern = token_pattern(PREFIX, UserProfileProjection.topics)
    for token in (
        f"{PREFIX}.users:0:0",
        f"{PREFIX}.users:5:123",
        f"{PREFIX}.users:6:0",
        "x:0:0",
        "cs.users:0:01",
    ):
        try:
            parse_token(token, topics, "user_profiles")
            parses = True
        except InvalidToken:
            parses = False
        assert bool(re.fullmatch(pattern, token)) == parses, token


def test_a_timeout_names_the_projection_and_the_token() -> None:
    assert str(NotYetApplied("user_profiles", "cs.users:0:9")) == (
        "projection user_profiles has not yet applied cs.users:0:9; retry shortly"
    )


def _career_with_skills(n: int) -> Career:
    return next(c for c in careers_by_id().values() if len(c.skills) >= n)


def test_target_gaps_are_the_careers_skills_the_user_lacks_heaviest_first() -> None:
    career = _career_with_skills(4)
    # Heaviest first; equal weights in skill order (the ranking must not depend on the catalog's order).
    ranked = sorted(career.skills, key=lambda s: (-s.weight, s.label.casefold()))
    have = ranked[0].label.upper()  # matched whatever the case and spacing
    gaps = target_skill_gaps([f"  {have} "], [career.label.upper(), "no-such-career"])
    assert [g["skill"] for g in gaps.values()] == [s.label for s in ranked[1:]][:30]
    assert all(g["careers"] == [career.label] for g in gaps.values())
    assert target_skill_gaps([], [career.id], limit=2) == dict(
        list(target_skill_gaps([], [career.id]).items())[:2]
    )
    assert target_skill_gaps(["x"], []) == {}


def test_a_hit_explains_the_missing_skills_it_teaches() -> None:
    career = _career_with_skills(2)
    gaps = target_skill_gaps([], [career.id])
    first = next(iter(gaps.values()))
    why, text = course_hit_reason([first["skill"].upper(), "unrelated"], gaps, personalised=True)
    assert why == [first]
    assert text == (
        "Ranked higher: teaches skills you lack for your target careers: "
        f"{first['skill']} (needed for {career.label})"
    )
    assert course_hit_reason(["unrelated"], gaps, personalised=True) == (
        [],
        "Ranked by relevance; teaches none of the skills you lack for your target careers.",
    )
    assert course_hit_reason([first["skill"]], {}, personalised=False) == (
        [],
        "Ranked by relevance to your search.",
    )
