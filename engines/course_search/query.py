"""Search request and response types of the course index (plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Duration buckets reported as a facet: (label, lower bound inclusive, upper bound exclusive).
DURATION_BUCKETS: tuple[tuple[str, float | None, float | None], ...] = (
    ("<2h", None, 2.0),
    ("2-10h", 2.0, 10.0),
    ("10-40h", 10.0, 40.0),
    ("40h+", 40.0, None),
)


def duration_bucket(hours: float | None) -> str | None:
    """The DURATION_BUCKETS label of a duration (None when unknown)."""
    if hours is None:
        return None
    for label, low, high in DURATION_BUCKETS:
        if (low is None or hours >= low) and (high is None or hours < high):
            return label
    return None


@dataclass
class SearchQuery:
    """A course search: free text, filters, personalisation and paging.

    ``boost_skills`` are skills the user lacks: courses teaching them rank higher, by ``boost_weight``
    per matching skill (added to the text score), and each hit lists the skills that boosted it.
    """

    text: str = ""
    providers: list[str] | None = None
    levels: list[str] | None = None
    languages: list[str] | None = None
    availability: list[str] | None = None
    is_free: bool | None = None
    min_duration_hours: float | None = None
    max_duration_hours: float | None = None
    min_price: float | None = None
    max_price: float | None = None
    # Only courses teaching at least one of these skills (matched like boosts: whole skill, any case).
    skills: list[str] | None = None
    boost_skills: list[str] = field(default_factory=list)
    boost_weight: float = 2.0
    fuzzy: bool = True
    match_all_terms: bool = True
    with_facets: bool = True
    offset: int = 0
    limit: int = 10
    snippet_chars: int = 200

    def __post_init__(self) -> None:
        if self.offset < 0 or not 1 <= self.limit <= 1000:
            raise ValueError("offset must be >= 0 and limit in 1..1000")


@dataclass
class SearchHit:
    """One matching course, with highlighted title and description snippet (HTML with ``<b>``)."""

    course_id: str
    score: float
    title: str
    provider: str
    level: str
    language: str
    availability: str
    url: str
    skills: list[str]
    duration_hours: float | None
    price: float | None
    currency: str | None
    is_free: bool
    title_highlighted: str
    snippet: str
    boosted_by: list[str] = field(default_factory=list)


@dataclass
class SearchResults:
    """A page of hits, the total match count and facet counts (facet -> value -> count)."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    offset: int
    limit: int
    took_ms: float
