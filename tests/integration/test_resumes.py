"""Resumes end to end: multipart upload -> blob store + ResumeUploaded on Kafka -> analysis in the worker
-> ResumeAnalyzed -> `resume_analyses` in Postgres -> API, on the real broker and stores."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from careerstream.corpora.resumes import generate_resume
from kernel.config import Settings
from schemas.events import new_event
from streams.blob_store import owner_prefix
from streams.topics import ensure_topics
from tests.conftest import WorkerProcess, wait_until
from tests.resume_analysis.builders import make_pdf

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _upload(client, headers, user: str, name: str, data: bytes, **form: str) -> Any:  # type: ignore[no-untyped-def]
    return client.post(
        f"/users/{user}/resumes",
        files={"file": (name, data, "application/octet-stream")},
        data=form,
        headers=headers,
    )


def _final_analysis(client, headers, user: str, resume_id: str, token: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Read-your-write with the upload's token (never 404), then wait for the worker's ResumeAnalyzed."""
    url = f"/users/{user}/resumes/{resume_id}/analysis"
    first = client.get(url, params={"consistency_token": token}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["status"] in ("pending", "done", "failed")

    def finished() -> dict[str, Any] | None:
        body = client.get(url, headers=headers).json()
        return body if body["status"] != "pending" else None

    return wait_until(finished, 60, f"analysis of {resume_id}")  # type: ignore[return-value]


def test_uploaded_pdf_is_analysed_on_the_stream(client, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    item = generate_resume(1, layout="one_column", file_format="pdf")
    h = auth("resume-rita")
    r = _upload(client, h, "resume-rita", "Rita CV.pdf", item.data, target_role="cloud DevOps engineer")
    assert r.status_code == 202, r.text
    accepted = r.json()
    assert accepted["event_type"] == "ResumeUploaded" and accepted["media_type"] == "application/pdf"
    assert accepted["size_bytes"] == len(item.data)

    body = _final_analysis(client, h, "resume-rita", accepted["resume_id"], accepted["consistency_token"])
    assert body["status"] == "done", body
    assert body["file_name"] == "Rita CV.pdf"
    assert 0 < body["overall_score"] <= 100
    found = {s.lower() for s in body["skills"]}
    assert len(found & {s.lower() for s in item.truth.skills}) >= len(item.truth.skills) // 2, found
    analysis = body["analysis"]
    assert analysis["contact"]["emails"] == [item.truth.email]
    assert {e["title"] for e in analysis["experience"]} >= set(item.truth.job_titles[:1])
    assert analysis["target_career"]["label"] == "cloud DevOps engineer"
    assert analysis["ats"]["keywords"]["source"] == "target_skills"
    assert analysis["feedback"]["source"] == "rules"  # no LLM configured for this worker

    # Stored content-addressed and encrypted with the user's key: no plaintext on disk.
    stored = (settings.blob_dir / owner_prefix("resume-rita") / accepted["blob_sha256"]).read_bytes()
    assert b"%PDF" not in stored and item.truth.email.encode() not in stored


def test_docx_with_pasted_job_description(client, auth) -> None:  # type: ignore[no-untyped-def]
    item = generate_resume(2, layout="tables", file_format="docx")
    h = auth("resume-dora")
    r = _upload(
        client,
        h,
        "resume-dora",
        "cv.docx",
        item.data,
        job_description="We need a software engineer with Java, Kubernetes, Terraform and Apache Kafka.",
    )
    assert r.status_code == 202, r.text
    assert r.json()["media_type"] == DOCX_TYPE
    body = _final_analysis(client, h, "resume-dora", r.json()["resume_id"], r.json()["consistency_token"])
    assert body["status"] == "done", body
    keywords = body["analysis"]["ats"]["keywords"]
    assert keywords["source"] == "job_description"
    assert "Java" in keywords["matched"] and "Terraform" in keywords["missing"]


def _zip_bomb_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (8 * 1024 * 1024))
    return buf.getvalue()


def test_bad_files_get_a_4xx_with_a_reason_and_nothing_is_stored(client, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    h = auth("resume-bart")
    cases = [
        ("empty.pdf", b"", 422, "empty_file"),
        ("fake.pdf", b"%PDF-1.7\n this is not really a PDF \n%%EOF", 422, "corrupt_file"),
        ("picture.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 415, "unsupported_type"),
        ("big.txt", b"x" * (settings.resume_max_bytes + 1), 413, "file_too_large"),
        ("bomb.docx", _zip_bomb_docx(), 422, "zip_bomb"),
        ("scan.pdf", make_pdf([]), 422, "no_text_layer"),
        ("locked.pdf", make_pdf(["Jane Doe, engineer"] * 10, encrypt="secret"), 422, "encrypted_pdf"),
    ]
    for name, data, status, code in cases:
        r = _upload(client, h, "resume-bart", name, data)
        assert r.status_code == status, (name, r.text)
        detail = r.json()["detail"]
        assert detail["code"] == code, (name, detail)
        assert len(detail["reason"]) > 10
    assert not (settings.blob_dir / owner_prefix("resume-bart")).exists()


def test_only_the_owner_may_upload_or_read(client, auth) -> None:  # type: ignore[no-untyped-def]
    item = generate_resume(6, layout="one_column", file_format="txt")
    owner = auth("resume-olga")
    r = _upload(client, owner, "resume-olga", "cv.txt", item.data)
    assert r.status_code == 202, r.text
    url = f"/users/resume-olga/resumes/{r.json()['resume_id']}/analysis"
    token = {"consistency_token": r.json()["consistency_token"]}
    assert client.get(url, params=token, headers=auth("resume-mallory")).status_code == 403
    assert _upload(client, auth("resume-mallory"), "resume-olga", "cv.txt", item.data).status_code == 403
    assert client.get(url, params=token, headers=auth("resume-auditor", "auditor")).status_code == 200
    unknown = "/users/resume-olga/resumes/00000000-0000-4000-8000-000000000000/analysis"
    assert client.get(unknown, headers=owner).status_code == 404


def test_an_upload_whose_file_is_gone_fails_with_a_reason(client, auth) -> None:  # type: ignore[no-untyped-def]
    """The worker turns an unreadable upload into ResumeAnalyzed(failed), not a crash."""
    event = new_event(
        "ResumeUploaded",
        "resume-gina",
        {
            "resume_id": "5c2b1c1e-4c4e-4d5a-9a55-0f1f6c1d2e3f",
            "blob_sha256": "0" * 64,
            "file_name": "lost.pdf",
            "media_type": "application/pdf",
            "size_bytes": 1234,
        },
        producer="test",
    )
    pos = client.portal.call(client.app.state.ctx.publish, event)
    h = auth("resume-gina")
    body = _final_analysis(client, h, "resume-gina", "5c2b1c1e-4c4e-4d5a-9a55-0f1f6c1d2e3f", pos.token)
    assert body["status"] == "failed"
    assert "no longer available" in body["failure_reason"]
    # ... and the stream goes on: a real upload of the same user is analysed.
    r = _upload(client, h, "resume-gina", "cv.txt", generate_resume(5, file_format="txt").data)
    assert (
        _final_analysis(client, h, "resume-gina", r.json()["resume_id"], r.json()["consistency_token"])[
            "status"
        ]
        == "done"
    )


def test_erasure_removes_analyses_and_files(client, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    h = auth("resume-ezra")
    r = _upload(client, h, "resume-ezra", "cv.pdf", generate_resume(10, file_format="pdf").data)
    assert r.status_code == 202, r.text
    resume_id = r.json()["resume_id"]
    assert (
        _final_analysis(client, h, "resume-ezra", resume_id, r.json()["consistency_token"])["status"]
        == "done"
    )
    owner_dir = settings.blob_dir / owner_prefix("resume-ezra")
    assert owner_dir.exists()

    r = client.request("DELETE", "/users/resume-ezra", headers=h)
    assert r.status_code == 202
    r = client.get(
        f"/users/resume-ezra/resumes/{resume_id}/analysis",
        params={"consistency_token": r.json()["consistency_token"]},
        headers=h,
    )
    assert r.status_code == 404
    assert not owner_dir.exists()

    def key_destroyed() -> bool:
        with psycopg.connect(settings.database_url) as conn:
            row = conn.execute(
                "SELECT wrapped_key IS NULL FROM subject_keys WHERE subject_id = 'resume-ezra'"
            ).fetchone()
        return bool(row and row[0])

    wait_until(key_destroyed, 30, "resume-ezra's data key to be destroyed")
    # No new file is accepted for an erased user (writes revalidate the key within ~1 s).
    wait_until(
        lambda: _upload(client, h, "resume-ezra", "cv.txt", b"Ezra\nSKILLS\nPython, SQL").status_code == 410,
        5,
        "the API to refuse uploads for an erased user",
    )


class _FakeOpenAI(BaseHTTPRequestHandler):
    """A local OpenAI-compatible chat completions endpoint; records the prompts it was sent."""

    prompts: ClassVar[list[str]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        type(self).prompts.append(json.dumps(body["messages"]))
        content = json.dumps(
            {"summary": "Fake coach says: quantify results.", "suggestions": ["Add metrics."]}
        )
        raw = json.dumps(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake-model"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def llm_stack(settings: Settings, tmp_path) -> Iterator[tuple[TestClient, WorkerProcess]]:  # type: ignore[no-untyped-def]
    """A worker + API on their own topics whose settings point the LLM at a local fake server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    s = settings.model_copy(
        update={
            "topic_prefix": settings.topic_prefix + "-llm",
            "worker_projections": "user_profiles,resume_analyses",
            "openai_api_key": "test-key",
            "openai_base_url": f"http://127.0.0.1:{server.server_address[1]}/v1",
            "openai_model": "fake-model",
        }
    )
    ensure_topics(s.kafka_bootstrap_servers, s.topic_prefix)
    w = WorkerProcess(s, tmp_path / "worker.log")
    w.start()
    try:
        with TestClient(create_app(s)) as c:
            yield c, w
    finally:
        w.stop()
        server.shutdown()
        server.server_close()


def test_llm_feedback_only_with_consent(llm_stack: tuple[TestClient, WorkerProcess], auth) -> None:  # type: ignore[no-untyped-def]
    client, worker = llm_stack
    item = generate_resume(11, layout="one_column", file_format="pdf")
    for user, consent in (("resume-lena", True), ("resume-noah", False)):
        h = auth(user)
        client.post("/users", json={"email": f"{user}@example.org"}, headers=h).raise_for_status()
        r = client.put(
            f"/users/{user}/consents/llm_feedback",
            json={"granted": consent, "policy_version": "1"},
            headers=h,
        )
        client.get(
            f"/users/{user}/profile", params={"consistency_token": r.json()["consistency_token"]}, headers=h
        ).raise_for_status()
        r = _upload(client, h, user, "cv.pdf", item.data)
        assert r.status_code == 202, r.text
        body = _final_analysis(client, h, user, r.json()["resume_id"], r.json()["consistency_token"])
        assert body["status"] == "done", (body, worker.log()[-3000:])
        feedback = body["analysis"]["feedback"]
        if consent:
            assert feedback["source"] == "llm" and feedback["model"] == "fake-model"
            assert feedback["summary"] == "Fake coach says: quantify results."
        else:
            assert feedback["source"] == "rules" and feedback["fallback_reason"] == "no_consent"
    # One request (the consenting user's), built from facts: no contact details in the prompt.
    assert len(_FakeOpenAI.prompts) == 1
    assert item.truth.email not in _FakeOpenAI.prompts[0]
    assert item.truth.phone[-7:] not in _FakeOpenAI.prompts[0].replace(" ", "").replace("-", "")
