"""The worker side of resume analysis: target roles from the careers catalog; failures become events."""

from __future__ import annotations

import json

import pytest

from kernel.config import Settings
from schemas.events import Event, new_event
from streams import resume_analysis_effect as effect

from .builders import RESUME_LINES


def _upload(target_role: str | None = None) -> tuple[dict[str, str | None], Event]:
    payload = {"resume_id": "r1", "file_name": "cv.txt", "target_role": target_role, "job_description": None}
    return payload, new_event(
        "ResumeUploaded",
        "u1",
        {**payload, "blob_sha256": "a" * 64, "media_type": "text/plain", "size_bytes": 1},
        producer="test",
    )


def test_target_role_resolves_by_label_title_or_id() -> None:
    career, skills = effect.target_career("Data Scientist")
    assert career is not None and career["label"] == "data scientist"
    assert skills and len(skills) <= effect.TARGET_SKILLS
    assert effect.target_career(career["id"])[0] == career
    assert effect.target_career("astronaut chef of the moon") == (None, None)
    assert effect.target_career(None) == (None, None)


def test_a_rejected_file_gives_a_failed_payload_with_the_reason() -> None:
    payload, event = _upload()
    out = effect.run_analysis(b"", payload, event, Settings(_env_file=None), None)  # type: ignore[call-arg]
    assert out["status"] == "failed" and out["failure_reason"] == "The file is empty."
    assert json.loads(out["analysis"])["rejection"]["code"] == "empty_file"


def test_an_engine_crash_gives_a_failed_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RecursionError("deep")

    monkeypatch.setattr(effect, "analyze", explode)
    payload, event = _upload()
    out = effect.run_analysis(b"text", payload, event, Settings(_env_file=None), None)  # type: ignore[call-arg]
    assert out["status"] == "failed" and "RecursionError" in out["failure_reason"]
    assert out["analysis"] is None


def test_a_text_resume_is_done_with_score_and_skills() -> None:
    payload, event = _upload("software developer")
    data = "\n".join(RESUME_LINES).encode()
    out = effect.run_analysis(data, payload, event, Settings(_env_file=None), None, "no_consent")  # type: ignore[call-arg]
    assert out["status"] == "done" and 0 < out["overall_score"] <= 100
    assert "Python" in out["skills"]
    analysis = json.loads(out["analysis"])
    assert analysis["target_career"]["label"] == "software developer"
    assert analysis["feedback"]["fallback_reason"] == "no_consent"
