"""The LLM path of the reply effect against a local OpenAI-compatible server speaking the real protocol
(`openai` client, streaming SSE): tokens are streamed, the prompt holds the profile and the action's
data, and a failing, slow or broken server falls back (None: the template answers) within the budget."""

from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace
from typing import Any

import pytest

from careerstream.fake_openai import FakeOpenAI
from engines.chat import ConversationState
from engines.chat.dialogue import TurnPlan
from streams.chat_effect import _llm_answer

CAREER = "http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000001"


class _Redis:
    def __init__(self) -> None:
        self.published: list[tuple[str, str]] = []

    async def publish(self, channel: str, message: str) -> None:
        self.published.append((channel, message))


def _rt(base_url: str, timeout_s: float = 3.0) -> Any:
    settings = SimpleNamespace(
        openai_api_key="test",
        openai_base_url=base_url,
        openai_model="fake-model",
        chat_llm_timeout_s=timeout_s,
        redis_prefix="p:",
    )
    return SimpleNamespace(settings=settings, redis=_Redis())


def _plan() -> TurnPlan:
    st = ConversationState(conversation_id="c1")
    st.slots["skills"] = ["python"]
    return TurnPlan("career_advice", 0.9, "career_advice", "recommend_careers", None, st)


RESULT = {"source": "skills", "items": [{"career_id": CAREER, "title": "data engineer", "score": 0.8}]}
PROFILE = {"skills": ["Python", "SQL"], "target_careers": [], "location": "Lyon"}


def _ask(rt: Any) -> str | None:
    return asyncio.run(_llm_answer(rt, _plan(), RESULT, "template answer", PROFILE, "m1"))


def test_streamed_answer_uses_the_profile_and_the_action_data() -> None:
    with FakeOpenAI() as llm:
        rt = _rt(llm.base_url)
        text = _ask(rt)
    assert text == "(fake LLM) From your data, data engineer stands out. Ask me more about it."
    (request,) = llm.requests
    assert request["stream"] is True and request["model"] == "fake-model"
    prompt = json.loads(request["messages"][-1]["content"])
    assert prompt["profile"]["skills"] == ["Python", "SQL"] and prompt["profile"]["location"] == "Lyon"
    assert prompt["action_result"]["items"][0]["career_id"] == CAREER
    assert prompt["draft_answer"] == "template answer"
    # Token by token on the message's channel (for the WebSocket).
    assert len(rt.redis.published) > 5
    assert {c for c, _ in rt.redis.published} == {"p:chat:tokens:m1"}
    assert "".join(m for _, m in rt.redis.published).strip() == text


@pytest.mark.parametrize("mode", ["fail", "garbage"])
def test_a_failing_server_falls_back(mode: str) -> None:
    with FakeOpenAI(mode) as llm:
        started = time.perf_counter()
        assert _ask(_rt(llm.base_url)) is None
    assert time.perf_counter() - started < 3  # no retries
    assert len(llm.requests) == 1


def test_a_slow_server_times_out_within_the_budget() -> None:
    with FakeOpenAI("slow", delay_s=3.0) as llm:
        started = time.perf_counter()
        assert _ask(_rt(llm.base_url, timeout_s=0.5)) is None
        took = time.perf_counter() - started
    assert took < 1.5, took


def test_an_unreachable_server_falls_back() -> None:
    with FakeOpenAI() as llm:
        url = llm.base_url
    assert _ask(_rt(url)) is None
