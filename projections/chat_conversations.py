"""The chatbot's conversations: context in Redis (TTL), history in Postgres, rebuilt exactly by replay.

ChatMessageReceived -> the message is accepted when its `expected_version` matches the conversation's
(optimistic concurrency, one writer per conversation), recorded, and the `chat_reply` effect runs the
bot with the conversation state as of this message (it publishes ChatResponseSent). A refused message
gets a `chat_reply` effect with `conflict` (the API answers 409) and changes nothing.
ChatResponseSent -> the state after the turn (in its `details`) becomes the conversation's state; the
NLU never runs again on replay, so a rebuild gives the same state whatever the model version.
Consent (chat_history, llm_feedback) is read by the effect from the user's profile when it answers and
recorded in the reply's details (`history`, and the user's text only when `history` is true), so what
is kept depends on the log alone: a replay, which interleaves the users and chat topics in its own
order, keeps exactly what the live projection kept. Without chat_history no message text is kept
(turns keep intents and slots only). ErasureRequested -> rows and contexts deleted, tombstone set.
"""

from __future__ import annotations

import json
from typing import Any

from projections.framework import (
    CacheDelete,
    CacheSet,
    Change,
    DeleteWhere,
    Effect,
    Key,
    Projection,
    State,
    Table,
    Upsert,
)
from schemas.events import Event
from schemas.payloads import ChatMessageReceivedPayload, ChatResponseSentPayload

CONTEXT_TTL_S = 24 * 3600
RECENT_IDS = 50

CONVERSATIONS = Table(
    "chat_conversations",
    ("conversation_id",),
    (
        "conversation_id",
        "user_id",
        "version",
        "answered",
        "state",
        "recent_ids",
        "started_at",
        "updated_at",
        "last_event_id",
    ),
    json_columns=frozenset({"state", "recent_ids"}),
)
MESSAGES = Table(
    "chat_messages",
    ("message_id",),
    (
        "message_id",
        "conversation_id",
        "user_id",
        "seq",
        "role",
        "text",
        "intent",
        "confidence",
        "cards",
        "in_reply_to",
        "occurred_at",
    ),
    json_columns=frozenset({"cards"}),
)
USERS = Table(
    "chat_users",
    ("user_id",),
    ("user_id", "chat_history", "llm_feedback", "conversations", "erased_at"),
    json_columns=frozenset({"conversations"}),
)


def context_key(conversation_id: str) -> str:
    return f"chat:ctx:{conversation_id}"


def _user_row(state: State, user_id: str) -> dict[str, Any]:
    row = state.get(USERS.name, (user_id,))
    if row is None:
        return {
            "user_id": user_id,
            "chat_history": False,
            "llm_feedback": False,
            "conversations": [],
            "erased_at": None,
        }
    return dict(row)


def conversation_id_of(event: Event) -> str:
    """The conversation a ChatMessageReceived or ChatResponseSent event belongs to."""
    if event.event_type == "ChatMessageReceived":
        return event.payload_as(ChatMessageReceivedPayload)["conversation_id"]
    return event.payload_as(ChatResponseSentPayload)["conversation_id"]


def _context(row: dict[str, Any]) -> str:
    return json.dumps({**row["state"], "version": row["version"], "answered": row["answered"]}, default=str)


class ChatConversationProjection(Projection):
    name = "chat_conversations"
    topics = ("chat", "users")
    tables = (CONVERSATIONS, MESSAGES, USERS)
    event_types = frozenset({"ChatMessageReceived", "ChatResponseSent", "ErasureRequested"})

    def reads(self, event: Event) -> list[tuple[str, Key]]:
        keys: list[tuple[str, Key]] = [(USERS.name, (event.subject_id,))]
        if event.event_type in ("ChatMessageReceived", "ChatResponseSent"):
            keys.append((CONVERSATIONS.name, (conversation_id_of(event),)))
        return keys

    def apply(self, state: State, event: Event) -> list[Change]:
        user_id = event.subject_id
        user = _user_row(state, user_id)
        if event.event_type == "ErasureRequested":
            changes: list[Change] = [CacheDelete(context_key(c)) for c in user["conversations"]]
            changes += [
                DeleteWhere(CONVERSATIONS.name, "user_id", user_id),
                DeleteWhere(MESSAGES.name, "user_id", user_id),
                Upsert(
                    USERS.name,
                    {
                        **user,
                        "conversations": [],
                        "chat_history": False,
                        "llm_feedback": False,
                        "erased_at": event.occurred_at,
                    },
                ),
            ]
            return changes
        if user["erased_at"] is not None or event.redacted:
            return []
        cid = str(conversation_id_of(event))
        current = state.get(CONVERSATIONS.name, (cid,))
        if current is not None and current["user_id"] != user_id:
            return []  # another user's conversation id: never mix
        row: dict[str, Any] = (
            dict(current)
            if current is not None
            else {
                "conversation_id": cid,
                "user_id": user_id,
                "version": 0,
                "answered": 0,
                "state": {"conversation_id": cid},
                "recent_ids": [],
                "started_at": event.occurred_at,
            }
        )
        recent = list(row["recent_ids"])
        if event.event_type == "ChatMessageReceived":
            message = event.payload_as(ChatMessageReceivedPayload)
            mid = str(message["message_id"])
            if mid in recent:
                return []
            expected = message["expected_version"]
            if expected is not None and int(expected) != int(row["version"]):
                return [
                    Effect(
                        "chat_reply",
                        {
                            "event_id": event.event_id,
                            "conversation_id": cid,
                            "message_id": mid,
                            "conflict": True,
                            "version": row["version"],
                        },
                    )
                ]
            row.update(
                version=int(row["version"]) + 1,
                recent_ids=[*recent, mid][-RECENT_IDS:],
                updated_at=event.occurred_at,
                last_event_id=event.event_id,
            )
            changes = [Upsert(CONVERSATIONS.name, row)]
            if cid not in user["conversations"]:
                changes.append(Upsert(USERS.name, {**user, "conversations": [*user["conversations"], cid]}))
            changes.append(
                Effect(
                    "chat_reply",
                    {
                        "event_id": event.event_id,
                        "conversation_id": cid,
                        "message_id": mid,
                        "conflict": False,
                        "version": row["version"],
                        "state": row["state"],
                    },
                )
            )
            return changes
        p = event.payload_as(ChatResponseSentPayload)
        reply_to = "r:" + str(p["in_reply_to"])
        if reply_to in recent:
            return []
        details = json.loads(p["details"]) if p["details"] else {}
        new_state = dict(details.get("state") or row["state"])
        history = bool(details.get("history"))
        if not history:  # without the chat_history consent no text is kept, only intents and slots
            new_state["turns"] = [
                {k: v for k, v in t.items() if k != "text"} for t in new_state.get("turns", [])
            ]
        row.update(
            state=new_state,
            answered=int(row["answered"]) + 1,
            recent_ids=[*recent, reply_to][-RECENT_IDS:],
            updated_at=event.occurred_at,
            last_event_id=event.event_id,
        )
        changes = [
            Upsert(CONVERSATIONS.name, row),
            CacheSet(context_key(cid), _context(row), ttl_s=CONTEXT_TTL_S),
        ]
        if history:
            changes += [
                Upsert(
                    MESSAGES.name,
                    {
                        "message_id": str(p["in_reply_to"]),
                        "conversation_id": cid,
                        "user_id": user_id,
                        "seq": row["answered"],
                        "role": "user",
                        "text": details.get("user_text"),
                        "intent": p["intent"],
                        "confidence": p["confidence"],
                        "cards": [],
                        "in_reply_to": None,
                        "occurred_at": details.get("user_at") or event.occurred_at,
                    },
                ),
                Upsert(
                    MESSAGES.name,
                    {
                        "message_id": str(p["message_id"]),
                        "conversation_id": cid,
                        "user_id": user_id,
                        "seq": row["answered"],
                        "role": "bot",
                        "text": p["text"],
                        "intent": p["intent"],
                        "confidence": p["confidence"],
                        "cards": details.get("cards") or [],
                        "in_reply_to": p["in_reply_to"],
                        "occurred_at": event.occurred_at,
                    },
                ),
            ]
        return changes
