"""Read-your-writes: a query waits (briefly) until the projection has applied the caller's event.

Commands return a consistency token `topic:partition:offset`. A query passing it back is answered only
once the projection's stored next offset for that partition is past the offset, else 409 after the
wait budget, so a client never reads a state older than its own write. A token that no command could
have returned (malformed, a topic the read model doesn't read, a partition the topic doesn't have, a
negative or out-of-range offset) is refused at once with 400 instead of being waited for.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Query, status
from psycopg_pool import AsyncConnectionPool

from schemas.catalog import TOPIC_PARTITIONS, topic_name
from streams.producer import Position

_TOKEN = re.compile(
    r"(?P<topic>[\w.-]{1,249}):(?P<partition>-?[0-9]{1,10}):(?P<offset>-?[0-9]{1,19})", re.ASCII
)
MAX_OFFSET = 10**18 - 1  # offsets are written in at most 18 digits (Kafka's int64 never gets near)
_TOPICS_KEY = "x-token-topics"


def token_param(description: str, *logical_topics: str) -> Any:
    """The `consistency_token` query parameter of a route reading these topics (use as
    `Annotated[str | None, token_param(...)]`). Its OpenAPI pattern (filled in by
    `document_token_patterns`: it depends on the topic prefix) lists exactly the tokens the route
    accepts; any other token answers 400."""
    return Query(
        max_length=300,
        description=f"{description}: `<topic>:<partition>:<offset>`; any other token answers 400",
        json_schema_extra={_TOPICS_KEY: list(logical_topics)},
    )


def token_pattern(prefix: str, logical_topics: list[str]) -> str:
    """The regex of the tokens of these topics (same rule as `parse_token`)."""
    alternatives = []
    for logical in logical_topics:
        name = topic_name(prefix, logical).replace(".", "\\.")
        partitions = TOPIC_PARTITIONS[logical]
        assert 1 <= partitions <= 10, "single-digit partition numbers only"
        alternatives.append(f"{name}:[0-{partitions - 1}]")
    return f"^(?:{'|'.join(alternatives)}):(?:0|[1-9][0-9]{{0,17}})$"


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


def _bad(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, f"malformed consistency token: {reason}")


def parse_token(token: str, topics: Mapping[str, int], projection: str) -> Position:
    """The token's position, checked against `topics` (name -> partition count); 400 otherwise."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise _bad("expected <topic>:<partition>:<offset>")
    topic, partition, offset = match["topic"], int(match["partition"]), int(match["offset"])
    if f"{partition}:{offset}" != f"{match['partition']}:{match['offset']}":
        raise _bad("numbers are written without leading zeros or signs")
    if topic not in topics:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"consistency token is for topic {topic!r}, which {projection} does not read",
        )
    if not 0 <= partition < topics[topic]:
        raise _bad(f"topic {topic} has no partition {partition} (it has {topics[topic]})")
    if not 0 <= offset <= MAX_OFFSET:
        raise _bad(f"the offset must be between 0 and {MAX_OFFSET}")
    return Position(topic, partition, offset)


async def projection_offset(pool: AsyncConnectionPool, projection: str, topic: str, partition: int) -> int:
    """The next offset the projection will apply on this partition (0 when it has applied nothing)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT next_offset FROM projection_positions WHERE projection=%s AND topic=%s AND partition=%s",
            (projection, topic, partition),
        )
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def wait_for_token(
    pool: AsyncConnectionPool, projection: str, topics: Mapping[str, int], token: str | None, wait_ms: int
) -> None:
    """Return once `projection` has applied the token's event; 400 for a bad token, 409 on timeout."""
    if not token:
        return
    pos = parse_token(token, topics, projection)
    deadline = time.monotonic() + wait_ms / 1000
    delay = 0.005
    while True:
        if await projection_offset(pool, projection, pos.topic, pos.partition) > pos.offset:
            return
        if time.monotonic() >= deadline:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"projection {projection} has not yet applied {token}; retry shortly",
                headers={"Retry-After": "1"},
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
