"""Consistency tokens at the HTTP edge: the `consistency_token` query parameter and its OpenAPI pattern.

The wait itself is the read side's (`queries.consistency`); its refusals map to HTTP in `api.errors`:
`InvalidToken` answers 400, `NotYetApplied` 409 with `Retry-After`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Query

from queries.consistency import ReadModel, token_pattern

_TOPICS_KEY = "x-token-topics"


def token_param(read_model: ReadModel, description: str) -> Any:
    """The `consistency_token` query parameter of a route reading `read_model` (use as
    `Annotated[str | None, token_param(...)]`). Its OpenAPI pattern (filled in by
    `document_token_patterns`: it depends on the topic prefix) lists exactly the tokens of the topics
    the projection reads; any other token answers 400."""
    return Query(
        max_length=300,
        description=f"{description}: `<topic>:<partition>:<offset>`; any other token answers 400",
        json_schema_extra={_TOPICS_KEY: list(read_model.topics)},
    )


def document_token_patterns(app: FastAPI, prefix: str) -> None:
    """Make `app.openapi()` state each route's token pattern (instead of the internal topic list)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = build()
            for operation in (op for ops in doc.get("paths", {}).values() for op in ops.values()):
                for param in operation.get("parameters", ()):
                    schema = param.get("schema", {})
                    topics = schema.pop(_TOPICS_KEY, None)
                    if topics is not None:
                        target = next(
                            (s for s in schema.get("anyOf", ()) if s.get("type") == "string"), schema
                        )
                        target["pattern"] = token_pattern(prefix, topics)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
