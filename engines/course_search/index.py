"""The course search index: a tantivy index in one directory per replica.

Writes: ``apply(upserts, removals)`` then ``commit()``; upserts replace by ``course_id`` (delete-then-add
in one commit, so applying the same upsert twice leaves one document). ``rebuild(records)`` replaces
the whole content atomically for readers. Reads: ``search(SearchQuery)``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy
from tantivy import FieldType, Occur, Query

from engines.course_search.highlight import highlight, snippet
from engines.course_search.query import (
    DURATION_BUCKETS,
    SearchHit,
    SearchQuery,
    SearchResults,
    duration_bucket,
)
from engines.course_search.record import CourseRecord, CourseRemoval
from engines.course_search.schema import (
    KEYWORD_FIELDS,
    SCHEMA_VERSION,
    build_schema,
    fuzzy_distance,
    query_terms,
    skill_key,
)

VERSION_FILE = "course_search_schema.json"
# Field weights for text matching: a word in the title says more than one deep in the description.
FIELD_BOOSTS = {"title": 3.0, "skills": 2.0, "description": 1.0}
# A typo match is worth a fraction of the exact one, so exact spellings rank first.
FUZZY_FACTOR = 0.4
# Query words found in at least this many courses are matched exactly only.
FUZZY_BELOW_DOC_FREQ = 100
FACET_SIZE = 50

CourseInput = CourseRecord | Mapping[str, Any]
_FACET_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="course-facets")


class IndexSchemaMismatchError(RuntimeError):
    """The directory holds an index built with another schema version: rebuild it."""


def _payload(course: CourseInput) -> Mapping[str, Any]:
    return course.to_payload() if isinstance(course, CourseRecord) else course


def course_document(course: CourseInput) -> tantivy.Document:
    """The tantivy document for a course record or payload dict."""
    p = _payload(course)
    doc = tantivy.Document()
    doc.add_text("course_id", p["course_id"])
    doc.add_text("title", p.get("title") or "")
    doc.add_text("description", p.get("description") or "")
    for skill in p.get("skills") or ():
        doc.add_text("skills", skill)
        doc.add_text("skill_key", skill_key(skill))
    for name in KEYWORD_FIELDS:
        doc.add_text(name, str(p.get(name) or "unknown"))
    for name in ("duration_hours", "price"):
        value = p.get(name)
        if value is not None:
            doc.add_float(name, float(value))
    doc.add_boolean("is_free", bool(p.get("is_free")))
    bucket = duration_bucket(p.get("duration_hours"))
    if bucket is not None:
        doc.add_text("duration_bucket", bucket)
    doc.add_text("url", p.get("url") or "")
    if p.get("currency"):
        doc.add_text("currency", p["currency"])
    return doc


class CourseSearchIndex:
    """A course index stored in ``path`` (created if missing). Not shared between processes for writing."""

    def __init__(
        self, path: str | Path, writer_heap_bytes: int = 128_000_000, writer_threads: int = 0
    ) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        version_file = self.path / VERSION_FILE
        if tantivy.Index.exists(str(self.path)):
            found = json.loads(version_file.read_text()) if version_file.exists() else {}
            if found.get("schema_version") != SCHEMA_VERSION:
                raise IndexSchemaMismatchError(
                    f"{self.path} has schema {found.get('schema_version')}, "
                    f"expected {SCHEMA_VERSION}; rebuild it"
                )
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        version_file.write_text(json.dumps({"schema_version": SCHEMA_VERSION}))
        self._writer_heap = writer_heap_bytes
        self._writer_threads = writer_threads
        self._writer: tantivy.IndexWriter | None = None

    @classmethod
    def open_reader(cls, path: str | Path) -> CourseSearchIndex:
        """Open an existing index for searching only (API replicas): writes nothing to the directory.

        Raises FileNotFoundError when there is no index yet, IndexSchemaMismatchError for another version.
        """
        self = cls.__new__(cls)
        self.path = Path(path)
        if not self.path.is_dir() or not tantivy.Index.exists(str(self.path)):
            raise FileNotFoundError(f"no course index in {self.path}")
        version_file = self.path / VERSION_FILE
        found = json.loads(version_file.read_text()) if version_file.exists() else {}
        if found.get("schema_version") != SCHEMA_VERSION:
            raise IndexSchemaMismatchError(
                f"{self.path} has schema {found.get('schema_version')}, expected {SCHEMA_VERSION}"
            )
        self.schema = build_schema()
        self.index = tantivy.Index.open(str(self.path))
        self._writer_heap = 0
        self._writer_threads = 0
        self._writer = None
        return self

    def reload(self) -> None:
        """Make the latest commit (possibly by another process) visible to searches."""
        self.index.reload()

    # ---- writes -------------------------------------------------------------------------------

    @property
    def writer(self) -> tantivy.IndexWriter:
        """The index writer, opened on first write (it holds the directory's write lock)."""
        if self._writer is None:
            self._writer = self.index.writer(self._writer_heap, self._writer_threads)
        return self._writer

    def apply(self, upserts: Iterable[CourseInput] = (), removals: Iterable[CourseRemoval | str] = ()) -> int:
        """Stage upserts (replace by course_id) and removals, seen after ``commit()``; returns op count."""
        writer = self.writer
        ops = 0
        for course in upserts:
            doc = course_document(course)
            writer.delete_documents_by_term("course_id", _payload(course)["course_id"])
            writer.add_document(doc)
            ops += 1
        for removal in removals:
            course_id = removal.course_id if isinstance(removal, CourseRemoval) else removal
            writer.delete_documents_by_term("course_id", course_id)
            ops += 1
        return ops

    def commit(self) -> None:
        """Make staged changes durable and visible to searches."""
        if self._writer is not None:
            self._writer.commit()
        self.index.reload()

    def bulk_add(self, courses: Iterable[CourseInput]) -> int:
        """Stage courses known to be absent from the index (fresh or emptied): no replace, so faster."""
        writer = self.writer
        count = 0
        for course in courses:
            writer.add_document(course_document(course))
            count += 1
        return count

    def rebuild(self, courses: Iterable[CourseInput], assume_unique: bool = False) -> int:
        """Replace the whole index content with ``courses``; readers switch over at the commit.

        With ``assume_unique`` each course_id must appear once (faster); otherwise later versions of a
        course replace earlier ones, as when replaying a not-yet-compacted topic.
        """
        self.writer.delete_all_documents()
        count = self.bulk_add(courses) if assume_unique else self.apply(courses)
        self.commit()
        return count

    def close(self) -> None:
        """Wait for background merges and release the write lock."""
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    @property
    def num_docs(self) -> int:
        """Documents visible to searches."""
        return int(self.index.searcher().num_docs)

    # ---- reads --------------------------------------------------------------------------------

    def _known(self, searcher: tantivy.Searcher | None, term: str) -> bool:
        """True when at least FUZZY_BELOW_DOC_FREQ documents contain ``term`` exactly (in any text field)."""
        if searcher is None:
            return False
        return sum(searcher.doc_freq(name, term) for name in FIELD_BOOSTS) >= FUZZY_BELOW_DOC_FREQ

    def _text_query(
        self, terms: list[str], q: SearchQuery, searcher: tantivy.Searcher | None = None
    ) -> Query:
        groups = []
        for term in terms:
            alternatives: list[Query] = []
            # Typo tolerance for words the index doesn't know (or barely): a fuzzy term expands to every
            # indexed word within the edit distance (3x the cost at 1M courses), and a word found in
            # many courses is spelled right: it should not also match its neighbours ("data", "date").
            distance = fuzzy_distance(term) if q.fuzzy and not self._known(searcher, term) else 0
            for name, boost in FIELD_BOOSTS.items():
                alternatives.append(Query.boost_query(Query.term_query(self.schema, name, term), boost))
                if distance:
                    fuzzy = Query.fuzzy_term_query(self.schema, name, term, distance=distance)
                    alternatives.append(Query.boost_query(fuzzy, boost * FUZZY_FACTOR))
            # Best field wins, other fields add a little (title+skills beats either alone).
            groups.append(Query.disjunction_max_query(alternatives, tie_breaker=0.2))
        occur = Occur.Must if q.match_all_terms else Occur.Should
        return Query.boolean_query([(occur, g) for g in groups])

    def _any_of(self, name: str, values: list[str]) -> Query:
        # A term query streams its postings (the intersection skips through them); a term set
        # query materialises a bitset of every match first, which costs more for one value.
        if len(values) == 1:
            return Query.term_query(self.schema, name, values[0])
        return Query.term_set_query(self.schema, name, values)

    def _filters(self, q: SearchQuery) -> list[Query]:
        filters: list[Query] = []
        for name, values in (
            ("provider", q.providers),
            ("level", q.levels),
            ("language", q.languages),
            ("availability", q.availability),
        ):
            if values:
                filters.append(self._any_of(name, list(values)))
        if q.skills:
            keys = list(dict.fromkeys(skill_key(s) for s in q.skills))
            filters.append(self._any_of("skill_key", keys))
        if q.is_free is not None:
            filters.append(Query.term_query(self.schema, "is_free", q.is_free))
        for name, low, high in (
            ("duration_hours", q.min_duration_hours, q.max_duration_hours),
            ("price", q.min_price, q.max_price),
        ):
            if low is not None or high is not None:
                filters.append(
                    Query.range_query(
                        self.schema,
                        name,
                        FieldType.Float,
                        float(low) if low is not None else None,
                        float(high) if high is not None else None,
                    )
                )
        return filters

    def build_query(
        self, q: SearchQuery, searcher: tantivy.Searcher | None = None
    ) -> tuple[Query, list[str]]:
        """The tantivy query for a search, and the query terms used (for highlighting).

        With a ``searcher``, only terms absent from the index are matched fuzzily.
        """
        terms = query_terms(q.text)
        main = self._text_query(terms, q, searcher) if terms else Query.all_query()
        clauses: list[tuple[Occur, Query]] = [(Occur.Must, main)]
        # Filters restrict without scoring: a provider name should not change relevance.
        clauses += [(Occur.Must, Query.const_score_query(f, 0.0)) for f in self._filters(q)]
        for skill in dict.fromkeys(skill_key(s) for s in q.boost_skills):
            term = Query.term_query(self.schema, "skill_key", skill)
            clauses.append((Occur.Should, Query.const_score_query(term, q.boost_weight)))
        return Query.boolean_query(clauses), terms

    def _facets(self, searcher: tantivy.Searcher, query: Query) -> dict[str, dict[str, int]]:
        """Counts per value of every facet, for the documents matching ``query`` (one pass)."""
        aggs: dict[str, Any] = {
            name: {"terms": {"field": name, "size": FACET_SIZE}} for name in (*KEYWORD_FIELDS, "is_free")
        }
        aggs["duration_hours"] = {"terms": {"field": "duration_bucket", "size": len(DURATION_BUCKETS)}}
        raw = searcher.aggregate(query, aggs)
        facets: dict[str, dict[str, int]] = {}
        for name, result in raw.items():
            counts = {}
            for b in result.get("buckets", []):
                key = b.get("key_as_string", b["key"]) if name == "is_free" else b["key"]
                counts[str(key)] = int(b["doc_count"])
            facets[name] = counts
        # Every duration bucket, in order, zeros included (as a range aggregation would report them).
        durations = facets.get("duration_hours", {})
        facets["duration_hours"] = {label: durations.get(label, 0) for label, _, _ in DURATION_BUCKETS}
        return facets

    def search(self, q: SearchQuery) -> SearchResults:
        """Run a search: ranked page of hits with highlights and boost reasons, total count, facet counts."""
        started = time.perf_counter()
        searcher = self.index.searcher()
        query, terms = self.build_query(q, searcher)
        # Facet counts run on another thread while this one ranks (tantivy releases the GIL): the
        # two passes over the matches overlap. With facets, the total comes from the level facet
        # (every course has exactly one level), so the matches are not counted a third time.
        facets_future = _FACET_POOL.submit(self._facets, searcher, query) if q.with_facets else None
        result = searcher.search(query, limit=q.limit, offset=q.offset, count=not q.with_facets)
        boost_keys = {skill_key(s) for s in q.boost_skills}
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            hits.append(self._hit(doc, float(score), terms, q, boost_keys))
        facets = facets_future.result() if facets_future is not None else {}
        total = sum(facets["level"].values()) if q.with_facets else int(getattr(result, "count", 0) or 0)
        return SearchResults(
            total=total,
            hits=hits,
            facets=facets,
            offset=q.offset,
            limit=q.limit,
            took_ms=(time.perf_counter() - started) * 1000,
        )

    @staticmethod
    def _hit(
        doc: tantivy.Document, score: float, terms: list[str], q: SearchQuery, boost_keys: set[str]
    ) -> SearchHit:
        title = doc.get_first("title") or ""
        skills = [str(s) for s in doc.get_all("skills")]
        return SearchHit(
            course_id=str(doc.get_first("course_id")),
            score=score,
            title=title,
            provider=str(doc.get_first("provider")),
            level=str(doc.get_first("level")),
            language=str(doc.get_first("language")),
            availability=str(doc.get_first("availability")),
            url=doc.get_first("url") or "",
            skills=skills,
            duration_hours=doc.get_first("duration_hours"),
            price=doc.get_first("price"),
            currency=doc.get_first("currency"),
            is_free=bool(doc.get_first("is_free")),
            title_highlighted=highlight(title, terms, q.fuzzy),
            snippet=snippet(doc.get_first("description") or "", terms, q.snippet_chars, q.fuzzy),
            boosted_by=[s for s in skills if skill_key(s) in boost_keys],
        )
