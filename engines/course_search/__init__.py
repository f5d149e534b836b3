"""Course search: a tantivy index of course records with typo tolerance, facets and personalised boosts."""

from engines.course_search.index import CourseSearchIndex, IndexSchemaMismatchError
from engines.course_search.query import SearchHit, SearchQuery, SearchResults

__all__ = ["CourseSearchIndex", "IndexSchemaMismatchError", "SearchHit", "SearchQuery", "SearchResults"]
