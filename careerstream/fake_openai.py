"""A local OpenAI-compatible chat server for tests and `careerstream bench chat` (no network, no model).

Speaks the real wire protocol of `POST /v1/chat/completions`: a JSON `chat.completion` object, or with
`"stream": true` a `text/event-stream` of `chat.completion.chunk` objects (`data: {...}` lines, then
`data: [DONE]`). The answer is built from the request so tests can check what the model was given: it
quotes the first career or course title found in the user message's JSON (the action result), else a
fixed sentence. `mode` switches behaviour: "ok", "fail" (HTTP 500), "slow" (sleeps `delay_s` before
answering), "garbage" (a 200 that is not JSON).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _answer(request: dict[str, Any]) -> str:
    content = ""
    for m in request.get("messages", []):
        if m.get("role") == "user":
            content = str(m.get("content") or "")
    title = None
    try:
        data = json.loads(content)
        result = data.get("action_result") or {}
        items = result.get("items") or []
        if items:
            title = items[0].get("title")
        elif isinstance(result.get("career"), dict):
            title = result["career"].get("label")
    except (ValueError, AttributeError):
        pass
    if title:
        return f"(fake LLM) From your data, {title} stands out. Ask me more about it."
    return "(fake LLM) I looked at your data and have nothing to add."


class FakeOpenAI:
    """Run with `with FakeOpenAI() as llm: ...`; `llm.base_url` ends with /v1."""

    def __init__(self, mode: str = "ok", delay_s: float = 0.0, token_delay_s: float = 0.0) -> None:
        self.mode = mode
        self.delay_s = delay_s
        self.token_delay_s = token_delay_s
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                fake.requests.append(body)
                if fake.mode == "fail":
                    self._send(500, {"error": {"message": "boom", "type": "server_error"}})
                    return
                if fake.mode == "slow":
                    time.sleep(fake.delay_s)
                if fake.mode == "garbage":
                    raw = b"this is not json"
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                    return
                text = _answer(body)
                cid, created, model = (
                    f"chatcmpl-{uuid.uuid4().hex}",
                    int(time.time()),
                    body.get("model", "fake"),
                )
                if not body.get("stream"):
                    self._send(
                        200,
                        {
                            "id": cid,
                            "object": "chat.completion",
                            "created": created,
                            "model": model,
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": text},
                                    "finish_reason": "stop",
                                }
                            ],
                            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                        },
                    )
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()
                words = text.split(" ")
                deltas = [{"role": "assistant", "content": ""}] + [
                    {"content": w if i == 0 else " " + w} for i, w in enumerate(words)
                ]
                for i, delta in enumerate([*deltas, {}]):
                    chunk = {
                        "id": cid,
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "choices": [
                            {
                                "index": 0,
                                "delta": delta,
                                "finish_reason": "stop" if i == len(deltas) else None,
                            }
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    if fake.token_delay_s:
                        time.sleep(fake.token_delay_s)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-openai", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(mode: str = "ok", delay_s: float = 0.0) -> None:  # pragma: no cover - manual use
    with FakeOpenAI(mode, delay_s) as llm:
        print(llm.base_url, flush=True)
        threading.Event().wait()
