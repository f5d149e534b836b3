"""Read-your-writes: a query waits (briefly) until the projection has applied the caller's event.

Commands return a consistency token `topic:partition:offset`. A query passing it back is answered only
once the projection's stored next offset for that partition is past the offset, else `NotYetApplied`
after the wait budget (the API answers 409), so a client never reads a state older than its own write.
A token that no command could have returned (malformed, a topic the read model doesn't read, a
partition the topic doesn't have, a negative or out-of-range offset) is refused at once with
`InvalidToken` (400) instead of being waited for.

Which topics a read model reads is the projection's own declaration (`Projection.topics`), so a query
names the projection class and never restates its topics.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from psycopg_pool import AsyncConnectionPool

from projections.framework import Projection
from queries.stores import ReadStores
from schemas.catalog import TOPIC_PARTITIONS, topic_name

_TOKEN = re.compile(
    r"(?P<topic>[\w.-]{1,249}):(?P<partition>-?[0-9]{1,10}):(?P<offset>-?[0-9]{1,19})", re.ASCII
)
MAX_OFFSET = 10**18 - 1  # offsets are written in at most 18 digits (Kafka's int64 never gets near)

ReadModel = type[Projection]


class InvalidToken(Exception):
    """A consistency token no command could have returned; the message says why."""


class NotYetApplied(Exception):
    """The projection did not apply the token's event within the wait budget; retry shortly."""

    def __init__(self, projection: str, token: str) -> None:
        super().__init__(f"projection {projection} has not yet applied {token}; retry shortly")
        self.projection = projection
        self.token = token


class TokenPosition(NamedTuple):
    topic: str
    partition: int
    offset: int


def token_topics(read_model: ReadModel, prefix: str) -> dict[str, int]:
    """The full names of the topics `read_model` reads, with their partition counts."""
    return {topic_name(prefix, logical): TOPIC_PARTITIONS[logical] for logical in read_model.topics}


def token_pattern(prefix: str, logical_topics: Iterable[str]) -> str:
    """The regex of the tokens of these topics (same rule as `parse_token`)."""
    alternatives = []
    for logical in logical_topics:
        name = topic_name(prefix, logical).replace(".", "\\.")
        partitions = TOPIC_PARTITIONS[logical]
        assert 1 <= partitions <= 10, "single-digit partition numbers only"
        alternatives.append(f"{name}:[0-{partitions - 1}]")
    return f"^(?:{'|'.join(alternatives)}):(?:0|[1-9][0-9]{{0,17}})$"


def _malformed(reason: str) -> InvalidToken:
    return InvalidToken(f"malformed consistency token: {reason}")


def parse_token(token: str, topics: Mapping[str, int], projection: str) -> TokenPosition:
    """The token's position, checked against `topics` (name -> partition count); InvalidToken otherwise."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise _malformed("expected <topic>:<partition>:<offset>")
    topic, partition, offset = match["topic"], int(match["partition"]), int(match["offset"])
    if f"{partition}:{offset}" != f"{match['partition']}:{match['offset']}":
        raise _malformed("numbers are written without leading zeros or signs")
    if topic not in topics:
        raise InvalidToken(f"consistency token is for topic {topic!r}, which {projection} does not read")
    if not 0 <= partition < topics[topic]:
        raise _malformed(f"topic {topic} has no partition {partition} (it has {topics[topic]})")
    if not 0 <= offset <= MAX_OFFSET:
        raise _malformed(f"the offset must be between 0 and {MAX_OFFSET}")
    return TokenPosition(topic, partition, offset)


async def projection_offset(pool: AsyncConnectionPool, projection: str, topic: str, partition: int) -> int:
    """The next offset the projection will apply on this partition (0 when it has applied nothing)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT next_offset FROM projection_positions WHERE projection=%s AND topic=%s AND partition=%s",
            (projection, topic, partition),
        )
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def wait_until_applied(stores: ReadStores, read_model: ReadModel, token: str | None) -> None:
    """Return once `read_model` has applied the token's event (at once without a token); InvalidToken
    for a token it could not have, NotYetApplied after the configured wait (`consistency_wait_ms`)."""
    if not token:
        return
    projection = read_model.name
    pos = parse_token(token, token_topics(read_model, stores.settings.topic_prefix), projection)
    deadline = time.monotonic() + stores.settings.consistency_wait_ms / 1000
    delay = 0.005
    while True:
        if await projection_offset(stores.pool, projection, pos.topic, pos.partition) > pos.offset:
            return
        if time.monotonic() >= deadline:
            raise NotYetApplied(projection, token)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
