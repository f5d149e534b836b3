"""The `chat_conversations` read model: a user's conversations and their messages, and a conversation's
current version (what a new message is checked against).

The version's hot copy is Redis `chat:head:<conversation>`, written by the worker's reply effect
(streams/chat_effect.py) when it accepts a message; Postgres `chat_conversations` is the record.
"""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row

from projections.chat_conversations import CONVERSATIONS, MESSAGES
from queries.stores import ReadStores

MAX_LISTED = 100  # conversations listed per user, the most recently updated first


def head_key(conversation_id: str) -> str:
    """Redis key (under the configured prefix) of the conversation's accepted version."""
    return f"chat:head:{conversation_id}"


async def current_version(stores: ReadStores, conversation_id: str) -> int:
    """Messages of the conversation answered so far (0 for a new conversation)."""
    raw = await stores.redis.get(stores.settings.redis_prefix + head_key(conversation_id))
    if raw is not None:
        return int(raw)
    async with stores.pool.connection() as conn:
        cur = await conn.execute(
            f"SELECT version FROM {CONVERSATIONS.name} WHERE conversation_id = %s", (conversation_id,)
        )
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def conversation_owner(stores: ReadStores, conversation_id: str) -> str | None:
    """The user a conversation belongs to; None for a conversation not (yet) projected."""
    async with stores.pool.connection() as conn:
        cur = await conn.execute(
            f"SELECT user_id FROM {CONVERSATIONS.name} WHERE conversation_id = %s", (conversation_id,)
        )
        row = await cur.fetchone()
    return None if row is None else str(row[0])


async def conversations(stores: ReadStores, user_id: str) -> list[dict[str, Any]]:
    """The user's conversations (id, version, answered, intent, times), most recently updated first."""
    async with stores.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT conversation_id, version, answered, state->>'intent' AS intent, started_at, updated_at"
            f" FROM {CONVERSATIONS.name} WHERE user_id = %s ORDER BY updated_at DESC LIMIT %s",
            (user_id, MAX_LISTED),
        )
        return await cur.fetchall()


async def conversation(stores: ReadStores, user_id: str, conversation_id: str) -> dict[str, Any] | None:
    """One of the user's conversations with its state and messages in order; None if not theirs."""
    async with stores.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT conversation_id, version, answered, state, started_at, updated_at "
            f"FROM {CONVERSATIONS.name} WHERE conversation_id = %s AND user_id = %s",
            (conversation_id, user_id),
        )
        conv = await cur.fetchone()
        if conv is None:
            return None
        await cur.execute(
            "SELECT message_id, role, text, intent, confidence, cards, in_reply_to, occurred_at "
            f"FROM {MESSAGES.name} WHERE conversation_id = %s ORDER BY seq, role DESC",
            (conversation_id,),
        )
        conv["messages"] = await cur.fetchall()
    return conv
