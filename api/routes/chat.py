"""The career chatbot: a message is a ChatMessageReceived event; the worker's `chat_reply` effect answers
with ChatResponseSent and hands the reply over in Redis (`chat:reply:<message_id>`), where this route
waits for it with BLPOP, bounded by `CHAT_REPLY_TIMEOUT_MS` (`wait_ms` per request): on timeout, 504
with the conversation and message ids (the reply still lands in the conversation). No Faust agent.ask.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, WebSocket, WebSocketDisconnect, status
from pydantic import Field

from api.auth import CurrentPrincipal, authorize, decode_token
from api.commands import publish_command
from api.context import ApiContext
from api.dependencies import USER_ID_PATTERN, Ctx, UserIdPath
from api.errors import responses
from api.guards import WriteLimited
from api.models import NO_NUL, Strict
from queries import chat
from streams.chat_effect import reply_key, tokens_channel

router = APIRouter(prefix="/users", tags=["chat"])
ConvPath = Annotated[str, Path(pattern=USER_ID_PATTERN)]


class ChatIn(Strict):
    text: str = Field(min_length=1, max_length=2000, pattern=NO_NUL)
    conversation_id: str | None = Field(default=None, pattern=USER_ID_PATTERN)
    expected_version: int | None = Field(
        default=None, ge=0, description="messages you saw answered; default: the latest"
    )


async def send_message(
    ctx: ApiContext,
    user_id: str,
    body: ChatIn,
    wait_ms: int,
    on_token: Callable[[str], Awaitable[None]] | None = None,
) -> tuple[str, str, dict[str, Any] | None]:
    """Publish the message, wait (bounded) for its reply; (conversation id, message id, reply or None).
    With `on_token`, the LLM's tokens (PUBLISHed by the worker on `chat:tokens:<message_id>`) are passed
    on as they come: the subscription is made before the message is published, so none is missed."""
    cid = body.conversation_id or uuid.uuid4().hex
    if body.conversation_id:
        owner = await chat.conversation_owner(ctx, cid)
        if owner is not None and owner != user_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such conversation")
    expected = (
        body.expected_version if body.expected_version is not None else await chat.current_version(ctx, cid)
    )
    mid = uuid.uuid4().hex
    pubsub, pump = None, None
    if on_token is not None:
        pubsub = ctx.redis.pubsub()
        await pubsub.subscribe(ctx.settings.redis_prefix + tokens_channel(mid))

        async def forward() -> None:
            assert pubsub is not None
            async for msg in pubsub.listen():
                if msg.get("type") == "message":
                    data = msg["data"]
                    await on_token(data.decode() if isinstance(data, bytes) else str(data))

        pump = asyncio.create_task(forward())
    try:
        return await _publish_and_wait(ctx, user_id, body, cid, mid, expected, wait_ms)
    finally:
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
        if pubsub is not None and on_token is not None:
            # Tokens already delivered to this connection but not yet read: pass them on too.
            with contextlib.suppress(Exception):
                while (
                    msg := await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.01)
                ) is not None:
                    data = msg["data"]
                    await on_token(data.decode() if isinstance(data, bytes) else str(data))
        if pubsub is not None:
            await pubsub.aclose()


async def _publish_and_wait(
    ctx: ApiContext, user_id: str, body: ChatIn, cid: str, mid: str, expected: int, wait_ms: int
) -> tuple[str, str, dict[str, Any] | None]:
    await publish_command(
        ctx,
        "ChatMessageReceived",
        user_id,
        {"conversation_id": cid, "message_id": mid, "text": body.text, "expected_version": expected},
    )
    # BLPOP in slices under the Redis client's socket timeout, until the deadline.
    key = ctx.settings.redis_prefix + reply_key(mid)
    deadline = asyncio.get_running_loop().time() + max(wait_ms, 1) / 1000
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            return cid, mid, None
        got = await ctx.redis.blpop([key], timeout=min(left, 1.0))
        if got:
            return cid, mid, json.loads(got[1])


def _answer(cid: str, mid: str, reply: dict[str, Any] | None) -> dict[str, Any]:
    if reply is None:
        raise HTTPException(
            status.HTTP_504_GATEWAY_TIMEOUT,
            {
                "code": "reply_timeout",
                "reason": "the assistant did not answer in time; the reply will appear in the conversation",
                "conversation_id": cid,
                "message_id": mid,
            },
        )
    if reply.get("status") == "conflict":
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            {
                "code": "version_conflict",
                "reason": "another message of this conversation was accepted first",
                "conversation_id": cid,
                "version": reply.get("version"),
            },
        )
    return reply


@router.post(
    "/{user_id}/chat/messages",
    responses=responses(401, 403, 404, 409, 410, 413, 422, 429, 503, 504),
    dependencies=[WriteLimited],
)
async def post_message(
    user_id: UserIdPath,
    body: ChatIn,
    principal: CurrentPrincipal,
    ctx: Ctx,
    wait_ms: Annotated[
        int | None, Query(ge=1, le=60000, description="reply wait; default CHAT_REPLY_TIMEOUT_MS")
    ] = None,
) -> dict[str, Any]:
    """Send a message; answers with the bot's reply (text, cards, conversation state), or 504 on timeout."""
    authorize(principal, user_id, write=True)
    cid, mid, reply = await send_message(ctx, user_id, body, wait_ms or ctx.settings.chat_reply_timeout_ms)
    return _answer(cid, mid, reply)


@router.get("/{user_id}/chat/conversations", responses=responses(401, 403, 422, 503))
async def list_conversations(user_id: UserIdPath, principal: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    authorize(principal, user_id, write=False)
    return {"user_id": user_id, "conversations": await chat.conversations(ctx, user_id)}


@router.get("/{user_id}/chat/conversations/{conversation_id}", responses=responses(401, 403, 404, 422, 503))
async def get_conversation(
    user_id: UserIdPath, conversation_id: ConvPath, principal: CurrentPrincipal, ctx: Ctx
) -> dict[str, Any]:
    authorize(principal, user_id, write=False)
    conv = await chat.conversation(ctx, user_id, conversation_id)
    if conv is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such conversation")
    return conv


@router.websocket("/{user_id}/chat/ws")
async def chat_ws(websocket: WebSocket, user_id: str) -> None:
    """Send `{"text", "conversation_id"?}` frames; each gets `{"type": "token", "text"}` frames while an
    LLM writes the answer (token by token), then `{"type": "reply", ...}` (the whole answer, cards and
    state), or `{"type": "error"}`. Auth: `?token=<jwt>` or the Authorization header."""

    ctx: ApiContext = websocket.app.state.ctx
    s = ctx.settings
    token = websocket.query_params.get("token") or websocket.headers.get("authorization", "").removeprefix(
        "Bearer "
    )
    try:
        authorize(decode_token(s.jwt_secret, token, s.jwt_issuer, s.jwt_audience), user_id, write=True)
    except Exception:
        await websocket.close(code=4401)
        return
    await websocket.accept()
    try:
        while True:
            frame = await websocket.receive_json()
            try:
                body = ChatIn.model_validate(frame)

                async def on_token(text: str) -> None:
                    await websocket.send_json({"type": "token", "text": text})

                cid, mid, reply = await send_message(ctx, user_id, body, s.chat_reply_timeout_ms, on_token)
                await websocket.send_json({"type": "reply", **_answer(cid, mid, reply)})
            except HTTPException as exc:
                await websocket.send_json({"type": "error", "status": exc.status_code, "detail": exc.detail})
            except ValueError:
                await websocket.send_json({"type": "error", "status": 422, "detail": "invalid message"})
    except WebSocketDisconnect:
        return


__all__ = ["router", "tokens_channel"]
