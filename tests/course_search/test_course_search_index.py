"""Course search index: replace/delete semantics, typo tolerance, filters, facets, highlights, boosts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from careerstream.corpora.courses import generate_courses
from engines.course_search.index import VERSION_FILE, CourseSearchIndex, IndexSchemaMismatchError
from engines.course_search.query import SearchQuery
from engines.course_search.record import CourseRecord, CourseRemoval


def course(pid: str, title: str, skills: list[str], **kw: object) -> CourseRecord:
    fields: dict[str, object] = {
        "provider": "coursera",
        "provider_course_id": pid,
        "title": title,
        "description": f"{title}. A practical course.",
        "skills": skills,
        "level": "beginner",
        "duration_hours": 10.0,
        "price": 49.0,
        "currency": "USD",
    }
    fields.update(kw)
    return CourseRecord.create(**fields)  # type: ignore[arg-type]


@pytest.fixture
def index(tmp_path: Path) -> CourseSearchIndex:
    ix = CourseSearchIndex(tmp_path / "replica-1", writer_heap_bytes=50_000_000, writer_threads=1)
    ix.apply(
        [
            course("py1", "Python for Everybody", ["Python"], price=0.0, duration_hours=20.0),
            course("py2", "Data Analysis with Python", ["Python", "Pandas", "SQL"], level="intermediate"),
            course(
                "ml1",
                "Machine Learning Foundations",
                ["Machine Learning", "Statistics"],
                level="advanced",
                description="Supervised learning, model evaluation and a little Python.",
            ),
            course(
                "k8s",
                "Kubernetes in Production",
                ["Kubernetes", "Docker"],
                provider="edx",
                duration_hours=40.0,
            ),
            course(
                "sec",
                "Network Security Basics",
                ["Network Security"],
                provider="edx",
                language="fr",
                price=0.0,
                duration_hours=1.5,
            ),
        ]
    )
    ix.commit()
    return ix


def ids(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.course_id for h in results.hits]


def test_upsert_replaces_and_is_idempotent(index: CourseSearchIndex) -> None:
    updated = course("py1", "Python for Absolutely Everybody", ["Python"])
    index.apply([updated, updated])
    index.commit()
    index.apply([updated])
    index.commit()
    assert index.num_docs == 5
    hits = index.search(SearchQuery(text="absolutely")).hits
    assert [h.course_id for h in hits] == ["coursera:py1"]
    assert index.search(SearchQuery(text="everybody")).total == 1


def test_delete_removes(index: CourseSearchIndex) -> None:
    index.apply(removals=[CourseRemoval("edx:k8s", "edx", "gone"), "coursera:missing"])
    index.commit()
    assert index.num_docs == 4
    assert index.search(SearchQuery(text="kubernetes")).total == 0


def test_payload_dicts_are_accepted(index: CourseSearchIndex) -> None:
    index.apply([course("r1", "Rust Programming", ["Rust"]).to_payload()])
    index.commit()
    assert ids(index.search(SearchQuery(text="rust"))) == ["coursera:r1"]


def test_typo_tolerance_and_exact_first(index: CourseSearchIndex) -> None:
    assert ids(index.search(SearchQuery(text="kubernets"))) == ["edx:k8s"]
    assert index.search(SearchQuery(text="kubernets", fuzzy=False)).total == 0
    # "machne lerning" (two typos, one per word) still finds the course.
    assert ids(index.search(SearchQuery(text="machne lerning"))) == ["coursera:ml1"]
    # The exact title word outranks a fuzzy neighbour.
    index.apply([course("pyt", "Pythons and Snakes", ["Zoology"])])
    index.commit()
    ranked = ids(index.search(SearchQuery(text="python")))
    assert ranked.index("coursera:py1") < ranked.index("coursera:pyt")


def test_all_terms_must_match_by_default(index: CourseSearchIndex) -> None:
    assert ids(index.search(SearchQuery(text="python sql"))) == ["coursera:py2"]
    loose = ids(index.search(SearchQuery(text="python sql", match_all_terms=False)))
    assert loose[0] == "coursera:py2" and len(loose) >= 3


def test_filters(index: CourseSearchIndex) -> None:
    assert ids(index.search(SearchQuery(text="python", is_free=True))) == ["coursera:py1"]
    assert ids(index.search(SearchQuery(providers=["edx"], languages=["fr"]))) == ["edx:sec"]
    assert set(ids(index.search(SearchQuery(max_duration_hours=10)))) == {
        "coursera:py2",
        "coursera:ml1",
        "edx:sec",
    }
    assert ids(index.search(SearchQuery(min_duration_hours=30))) == ["edx:k8s"]
    assert set(ids(index.search(SearchQuery(levels=["advanced", "intermediate"])))) == {
        "coursera:ml1",
        "coursera:py2",
    }
    assert index.search(SearchQuery(max_price=10)).total == 2


def test_facet_counts_follow_the_query(index: CourseSearchIndex) -> None:
    everything = index.search(SearchQuery())
    assert everything.total == 5
    assert everything.facets["provider"] == {"coursera": 3, "edx": 2}
    assert everything.facets["is_free"] == {"true": 2, "false": 3}
    assert everything.facets["duration_hours"] == {"<2h": 1, "2-10h": 0, "10-40h": 3, "40h+": 1}
    python = index.search(SearchQuery(text="python"))
    assert python.facets["level"] == {"beginner": 1, "intermediate": 1, "advanced": 1}


def test_highlights_and_snippets_mark_typo_matches(index: CourseSearchIndex) -> None:
    hit = index.search(SearchQuery(text="pyhton")).hits[0]
    assert "<b>Python</b>" in hit.title_highlighted
    assert "<b>Python</b>" in hit.snippet


def test_personalised_boost_reorders_and_explains(index: CourseSearchIndex) -> None:
    plain = index.search(SearchQuery(text="python"))
    assert plain.hits[0].boosted_by == []
    boosted = index.search(SearchQuery(text="python", boost_skills=["statistics", "Pandas"], boost_weight=50))
    assert boosted.hits[0].course_id in {"coursera:ml1", "coursera:py2"}
    reasons = {h.course_id: h.boosted_by for h in boosted.hits}
    assert reasons["coursera:ml1"] == ["Statistics"]
    assert reasons["coursera:py2"] == ["Pandas"]
    assert reasons["coursera:py1"] == []
    assert boosted.total == plain.total  # boosting reorders, it never adds matches


def test_paging_is_stable(tmp_path: Path) -> None:
    ix = CourseSearchIndex(tmp_path / "paging", writer_heap_bytes=50_000_000, writer_threads=1)
    ix.rebuild(generate_courses(1000, seed=3), assume_unique=True)
    for text in ("python", ""):  # scored matches, and 1000 equal-score matches
        pages = [
            ix.search(SearchQuery(text=text, offset=o, limit=20, with_facets=False)) for o in (0, 20, 40)
        ]
        seen = [cid for p in pages for cid in ids(p)]
        assert pages[0].total >= 60
        assert len(seen) == len(set(seen)) == 60
        assert len({p.total for p in pages}) == 1
    scores = [h.score for p in pages for h in p.hits]
    assert scores == sorted(scores, reverse=True)


def test_rebuild_replaces_everything_and_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "replica"
    ix = CourseSearchIndex(path, writer_heap_bytes=50_000_000, writer_threads=1)
    ix.apply(generate_courses(50, seed=1))
    ix.commit()
    courses = list(generate_courses(20, seed=2, start=1000))
    assert ix.rebuild(courses + courses[:5]) == 25  # duplicates replace, they don't double
    ix.close()
    reopened = CourseSearchIndex(path)
    assert reopened.num_docs == 20
    assert Counter(ids(reopened.search(SearchQuery(limit=100)))) == Counter(c.course_id for c in courses)


def test_schema_version_mismatch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old"
    CourseSearchIndex(path).close()
    (path / VERSION_FILE).write_text(json.dumps({"schema_version": 0}))
    with pytest.raises(IndexSchemaMismatchError):
        CourseSearchIndex(path)
