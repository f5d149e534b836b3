"""The tantivy schema of the course index, and the text analysis shared by indexing and querying."""

from __future__ import annotations

import re

import tantivy

# Bump when the schema changes: an index directory with another version must be rebuilt.
SCHEMA_VERSION = 2  # 2: duration_bucket (facet counts by terms, not by a slower range aggregation)

TEXT_FIELDS = ("title", "description", "skills")
# Raw (untokenised), fast fields: exact-match filters and terms aggregations (facet counts).
KEYWORD_FIELDS = ("provider", "level", "language", "availability")
FLOAT_FIELDS = ("duration_hours", "price")

# Same splitting as tantivy's "default" tokenizer (alphanumeric runs, lowercased, long tokens dropped),
# so query terms line up with indexed terms.
_ALNUM_RUN = re.compile(r"[^\W_]+")
MAX_TOKEN_LEN = 40

STOPWORDS = frozenset({"a", "an", "and", "the", "of", "for", "to", "in", "on", "with", "or", "by", "at"})


def build_schema() -> tantivy.Schema:
    """Searchable text (title, description, skills), keyword facets, numeric filters, stored payload."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("course_id", stored=True, fast=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name="default")
    # One normalised term per skill: personalised boosts and skill facet counts match whole skills.
    sb.add_text_field("skill_key", stored=False, fast=True, tokenizer_name="raw")
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    for name in FLOAT_FIELDS:
        sb.add_float_field(name, stored=True, indexed=True, fast=True)
    sb.add_boolean_field("is_free", stored=True, indexed=True, fast=True)
    # The duration facet's bucket label, precomputed: a terms count is ~10x cheaper than a range one.
    sb.add_text_field("duration_bucket", stored=False, fast=True, tokenizer_name="raw")
    sb.add_text_field("url", stored=True, tokenizer_name="raw")
    sb.add_text_field("currency", stored=True, tokenizer_name="raw")
    return sb.build()


def tokenize(text: str) -> list[str]:
    """Lowercased alphanumeric tokens, as the index's default tokenizer produces them."""
    return [t for t in (m.group(0).lower() for m in _ALNUM_RUN.finditer(text)) if len(t) <= MAX_TOKEN_LEN]


def query_terms(text: str) -> list[str]:
    """Tokens of a user query, stop words dropped (unless that would leave nothing), de-duplicated."""
    tokens = tokenize(text)
    kept = [t for t in tokens if t not in STOPWORDS] or tokens
    return list(dict.fromkeys(kept))


def skill_key(skill: str) -> str:
    """Canonical form of a skill label for exact matching ("Machine  Learning" -> "machine learning")."""
    return " ".join(skill.split()).casefold()


def fuzzy_distance(term: str) -> int:
    """Edit distance tolerated for a query term: none for short terms (too many false friends)."""
    if len(term) <= 3:
        return 0
    return 1 if len(term) <= 7 else 2
