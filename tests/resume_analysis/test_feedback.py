"""Feedback: the LLM path against a real local OpenAI-compatible HTTP server, and the rule fallback."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from engines.resume_analysis import LLMSettings, analyze
from engines.resume_analysis.feedback import FeedbackFacts, build_prompt, generate_feedback, rule_feedback

from .builders import RESUME_LINES, make_pdf


class _ChatHandler(BaseHTTPRequestHandler):
    """Serves POST /v1/chat/completions in the OpenAI response format; behaviour set per test."""

    mode: ClassVar[str] = "ok"
    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        type(self).requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        if self.path != "/v1/chat/completions":
            self._send(404, {"error": {"message": "not found"}})
            return
        if self.mode == "error":
            self._send(500, {"error": {"message": "boom", "type": "server_error"}})
            return
        if self.mode == "slow":
            time.sleep(1.5)
        content = json.dumps(
            {
                "summary": "Solid backend resume; tighten the format.",
                "suggestions": ["Move contact details out of the header.", "Add metrics."],
            }
        )
        self._send(
            200,
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "test-model"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
            },
        )

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(raw)


@pytest.fixture(scope="module")
def llm_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ChatHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _reset_handler() -> None:
    _ChatHandler.mode = "ok"
    _ChatHandler.requests.clear()


def test_llm_feedback_via_local_server_without_personal_data(llm_server: str, small_matcher) -> None:  # type: ignore[no-untyped-def]
    settings = LLMSettings(api_key="test-key", base_url=llm_server, model="local-model", timeout_s=5)
    result = analyze(make_pdf(RESUME_LINES), "cv.pdf", llm=settings, matcher=small_matcher)
    assert result.feedback is not None and result.feedback.source == "llm"
    assert result.feedback.model == "local-model"
    assert result.feedback.suggestions == ["Move contact details out of the header.", "Add metrics."]
    (request,) = _ChatHandler.requests
    assert request["auth"] == "Bearer test-key"
    prompt = json.dumps(request["body"]["messages"])
    for personal in ("Jane", "Doe", "jane.doe@example.com", "555-0147", "5125550147", "Austin", "github.com"):
        assert personal not in prompt
    assert "Senior Software Engineer" in prompt and "Kubernetes" in prompt  # facts, not raw text


def test_fallback_without_api_key(llm_server: str) -> None:
    facts = FeedbackFacts(
        overall_score=55,
        parts={"format": 40.0, "structure": 70.0},
        findings=[("critical", "Two-column layout."), ("info", "No summary.")],
        missing_keywords=["Rust"],
    )
    for settings in (
        None,
        LLMSettings(api_key=None, base_url=llm_server),
        LLMSettings(api_key="", base_url=llm_server),
    ):
        feedback = generate_feedback(facts, settings)
        assert feedback.source == "rules" and feedback.fallback_reason == "no_api_key"
    assert _ChatHandler.requests == []  # never called without a key
    assert "format" in feedback.summary and "55/100" in feedback.summary
    assert feedback.suggestions[0].endswith("Rust.") and "Two-column layout." in feedback.suggestions


def test_fallback_on_server_error(llm_server: str) -> None:
    _ChatHandler.mode = "error"
    facts = FeedbackFacts(overall_score=80, parts={"format": 90.0}, findings=[])
    feedback = generate_feedback(facts, LLMSettings(api_key="k", base_url=llm_server, timeout_s=5))
    assert feedback.source == "rules" and feedback.fallback_reason is not None
    assert feedback.fallback_reason.startswith("llm_error:")
    assert len(_ChatHandler.requests) == 1  # no retries: the fallback is immediate


def test_fallback_on_timeout(llm_server: str) -> None:
    _ChatHandler.mode = "slow"
    facts = FeedbackFacts(overall_score=80, parts={"format": 90.0}, findings=[])
    start = time.perf_counter()
    feedback = generate_feedback(facts, LLMSettings(api_key="k", base_url=llm_server, timeout_s=0.3))
    assert feedback.source == "rules" and feedback.fallback_reason == "timeout"
    assert time.perf_counter() - start < 1.4  # did not wait for the slow server


def test_rule_feedback_is_deterministic_and_prompt_is_facts_only() -> None:
    facts = FeedbackFacts(
        overall_score=90,
        parts={"format": 95.0, "structure": 85.0},
        findings=[],
        job_titles=["Nurse"],
        skills=["administer medication"],
    )
    assert rule_feedback(facts) == rule_feedback(facts)
    prompt = build_prompt(facts)
    assert json.loads(prompt.split("\n", 1)[1].rsplit("\n\n", 1)[0])["job_titles_most_recent_first"] == [
        "Nurse"
    ]
