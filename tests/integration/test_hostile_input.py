"""Hostile input (issue 15): every case found against a running stack answers a 4xx with a reason, never
a 5xx, never echoes the request, and the 422s all have the one documented shape."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator

import psycopg
import pytest

from api.errors import ValidationErrorOut
from kernel.config import Settings
from streams.blob_store import owner_prefix
from tests.conftest import wait_until
from tests.resume_analysis.builders import RESUME_LINES, make_docx, make_pdf

JSON = {"Content-Type": "application/json"}
TXT_RESUME = "\n".join(RESUME_LINES).encode()


def _assert_422(r, *, not_echoed: str = "") -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, r.text
    body = ValidationErrorOut.model_validate(r.json())  # the one documented 422 shape
    assert body.detail.reason
    if not_echoed:
        assert not_echoed not in r.text
    return r.json()


def _upload(client, headers, user_id: str, name: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return client.post(f"/users/{user_id}/resumes", files={"file": (name, data)}, data=form, headers=headers)


# -- non-finite numbers and lone surrogates ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        '{"years_experience": NaN}',
        '{"salary_expectation": Infinity}',
        '{"salary_expectation": -Infinity}',
        '{"location": NaN}',  # non-finite where a string belongs
        '{"skills": [Infinity]}',
        '{"unknown_field": NaN}',  # and where nothing belongs
    ],
)
def test_non_finite_numbers_are_422(client, auth, raw: str) -> None:  # type: ignore[no-untyped-def]
    r = client.put("/users/hostile-nan/profile", content=raw, headers={**auth("hostile-nan"), **JSON})
    _assert_422(r)


@pytest.mark.parametrize(
    ("method", "path", "raw"),
    [
        ("PUT", "/users/hostile-sur/profile", '{"skills": ["\\ud800abc"]}'),
        ("PUT", "/users/hostile-sur/profile", '{"career_goals": "abc\\udfff"}'),
        ("PUT", "/users/hostile-sur/profile", '{"\\ud800": 1}'),  # in a key
        ("POST", "/users", '{"email": "\\ud800abc@example.org"}'),
        ("POST", "/users", '{"email": "ok@example.org", "display_name": "\\udc00"}'),
        ("PUT", "/users/hostile-sur/consents/analytics", '{"granted": true, "policy_version": "\\ud83d"}'),
        ("POST", "/users/hostile-sur/interactions", '{"career_id": "\\ud800", "action": "viewed"}'),
        ("DELETE", "/users/hostile-sur", '{"reason": "\\ud800"}'),
    ],
)
def test_lone_surrogates_are_422(client, auth, method: str, path: str, raw: str) -> None:  # type: ignore[no-untyped-def]
    r = client.request(method, path, content=raw, headers={**auth("hostile-sur"), **JSON})
    body = _assert_422(r)
    assert "surrogate" in body["detail"]["reason"]


def test_nul_and_invalid_utf8_in_upload_form_fields(client, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("hostile-form")
    for field in ("job_description", "target_role"):
        # Encoded by hand: a client library refuses to encode a lone surrogate.
        body, ctype = _multipart({"file": ("cv.txt", TXT_RESUME)}, {field: "abc\x00def"})
        r = client.post("/users/hostile-form/resumes", content=body, headers={**h, "Content-Type": ctype})
        assert r.status_code == 422, (field, r.text)
        ValidationErrorOut.model_validate(r.json())
        # An encoded surrogate is invalid UTF-8: the form parser reads it as U+FFFD, never a surrogate.
        body, ctype = _multipart({"file": ("cv.txt", TXT_RESUME)}, {field: "abc\ud800"})
        r = client.post("/users/hostile-form/resumes", content=body, headers={**h, "Content-Type": ctype})
        assert r.status_code == 202, (field, r.text)


def _multipart(files: dict[str, tuple[str, bytes]], fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "hostileboundary1234"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode("utf-8", "surrogatepass") + b"\r\n")
    for name, (filename, data) in files.items():
        disposition = f'form-data; name="{name}"; filename="{filename}"'
        out.write(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def test_invalid_utf8_anywhere_is_a_4xx_not_a_5xx(client, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("hostile-utf8")
    r = client.put(
        "/users/hostile-utf8/profile", content=b'{"location": "\xed\xa0\x80"}', headers={**h, **JSON}
    )
    _assert_422(r)
    r = client.put("/users/hostile-utf8/profile", content=b"\xff\xfe{", headers={**h, **JSON})
    _assert_422(r)
    assert client.get("/users/%ED%A0%80/profile", headers=h).status_code == 422
    r = client.get("/courses/search?q=%ED%A0%80&skills=%FF", headers=h)
    assert r.status_code < 500, r.text


def test_422_rendering_never_fails_and_never_echoes(client, auth) -> None:  # type: ignore[no-untyped-def]
    marker = "ECHO-" + "x" * 5000
    nasty = (
        '{"skills": ["' + marker + '"], "years_experience": NaN, "\\ud800' + marker + '": Infinity, '
        '"location": "\\udfff", "career_goals": ' + "[" * 30 + "1" + "]" * 30 + "}"
    )
    r = client.put("/users/hostile-422/profile", content=nasty, headers={**auth("hostile-422"), **JSON})
    _assert_422(r, not_echoed=marker[:200])
    assert len(r.content) < 20_000
    # Route-level 422s have the same shape as pydantic's.
    r = client.post(
        "/users/hostile-422/interactions",
        json={"career_id": "nope", "action": "viewed"},
        headers=auth("hostile-422"),
    )
    _assert_422(r)


# -- request size ------------------------------------------------------------------------------------


def test_oversized_json_body_is_413_before_parsing_and_not_echoed(client, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    h = {**auth("hostile-big"), **JSON}
    marker = "BIGBODY"
    big = ('{"career_goals": "' + marker * (50 * 1024 * 1024 // len(marker)) + '"}').encode()
    started = time.monotonic()
    r = client.put("/users/hostile-big/profile", content=big, headers=h)
    assert r.status_code == 413, r.text[:200]
    assert time.monotonic() - started < 5
    detail = r.json()["detail"]
    assert detail["code"] == "body_too_large" and f"{settings.api_max_body_bytes:,}" in detail["reason"]
    assert marker not in r.text and len(r.content) < 1000

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b'{"career_goals": "'
        for _ in range(64):
            yield marker.encode() * 1024
        yield b'"}'

    r = client.put("/users/hostile-big/profile", content=chunks(), headers=h)
    assert r.status_code == 413 and r.json()["detail"]["code"] == "body_too_large"
    assert marker not in r.text


def test_the_largest_legitimate_profile_fits_and_long_items_are_refused_not_cut(client, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("hostile-max")
    item = "\u00e9" * 100  # 100 characters, each escaped by ensure_ascii as \u00e9 (6 bytes)
    profile = {
        "skills": [f"{i:03d}{item[3:]}" for i in range(200)],
        "interests": [f"{i:03d}{item[3:]}" for i in range(100)],
        "target_careers": [f"{i:03d}{item[3:]}" for i in range(20)],
        "career_goals": "\u00e9" * 2000,
        "location": "\u00e9" * 200,
    }
    raw = json.dumps(profile)  # ensure_ascii: every character \u-escaped, the worst legitimate case
    assert len(raw) > 200_000
    r = client.put("/users/hostile-max/profile", content=raw, headers={**h, **JSON})
    assert r.status_code == 202, r.text[:300]
    r = client.put("/users/hostile-max/profile", json={"skills": ["x" * 101]}, headers=h)
    body = _assert_422(r)
    assert body["detail"]["errors"][0]["loc"] == ["body", "skills", 0]


def test_oversized_upload_is_413(client, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    data = b"a" * (settings.resume_max_bytes + settings.api_max_body_bytes + 1)
    r = _upload(client, auth("hostile-bigfile"), "hostile-bigfile", "cv.txt", data)
    assert r.status_code == 413 and r.json()["detail"]["code"] == "body_too_large"


# -- resume type by leading magic bytes ----------------------------------------------------------------


def _zip(parts: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_resume_type_is_decided_by_leading_magic_bytes(client, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("hostile-magic")
    pdf = make_pdf(RESUME_LINES)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200) + pdf  # a PDF inside the first kilobyte
    assert len(exe) > 1024 and exe.index(b"%PDF-") < 1024
    macro_types = (
        '<Types><Override PartName="/word/document.xml" '
        'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
    )
    cases = [
        ("exe-with-pdf.pdf", exe, 415, "unsupported_type"),
        ("jar.docx", _zip({"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"}), 415, "unsupported_type"),
        ("macro.docx", _zip({"[Content_Types].xml": macro_types, "word/document.xml": "<w/>"}), 415, ""),
        ("png.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300), 415, "unsupported_type"),
        ("nul.txt", b"Jane\x00Doe" * 20, 415, "unsupported_type"),
    ]
    for name, data, status, code in cases:
        r = _upload(client, h, "hostile-magic", name, data)
        assert r.status_code == status, (name, r.text)
        if code:
            assert r.json()["detail"]["code"] == code, name
    # %PDF- at offset 0 after a BOM and whitespace is a PDF; so are real PDF and DOCX files.
    for name, data, media in [
        ("bom.pdf", b"\xef\xbb\xbf \r\n\t" + pdf, "application/pdf"),
        ("plain.pdf", pdf, "application/pdf"),
        (
            "cv.docx",
            make_docx(RESUME_LINES),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("cv.txt", TXT_RESUME, "text/plain"),
    ]:
        r = _upload(client, h, "hostile-magic", name, data)
        assert r.status_code == 202, (name, r.text)
        assert r.json()["media_type"] == media, name


# -- consistency tokens ----------------------------------------------------------------------------------


def test_consistency_tokens_are_validated_at_once(client, auth, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    h = auth("hostile-token")
    users = f"{settings.topic_prefix}.users"
    bad = [
        f"{users}:99:0",  # no such partition (users has 6)
        f"{users}:6:0",
        f"{users}:-1:0",
        f"{users}:0:-5",  # negative offset
        f"{users}:0:007",  # not canonical
        f"{users}:0:99999999999999999999",  # out of range
        f"{users}:0:1:2",
        f"{settings.topic_prefix}.courses:0:1",  # a topic this read model does not read
        "garbage",
        "",
    ]
    for token in bad:
        started = time.monotonic()
        r = client.get("/users/hostile-token/profile", params={"consistency_token": token}, headers=h)
        if token == "":
            assert r.status_code == 404  # no token at all: just the (missing) profile
            continue
        assert r.status_code == 400, (token, r.text)
        assert "consistency token" in r.json()["detail"]
        assert time.monotonic() - started < 1.0, token  # refused, not waited for
    for path in ("/users/hostile-token/recommendations", "/courses/search"):
        r = client.get(path, params={"consistency_token": f"{users}:0:-1"}, headers=h)
        assert r.status_code == 400, (path, r.text)


# -- uploads racing erasure ------------------------------------------------------------------------------


def test_upload_racing_erasure_is_410_or_accepted_and_leaves_nothing(
    client, auth, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    users = [f"hostile-race-{i}" for i in range(4)]
    statuses: dict[str, list[int]] = {u: [] for u in users}
    tokens: dict[str, list[str]] = {u: [] for u in users}
    erasure_tokens: dict[str, str] = {}

    def uploader(user: str) -> None:
        h = auth("hostile-race-uploader", "service")  # services are not rate limited: upload flat out
        for i in range(60):
            r = _upload(client, h, user, f"Resume of {user} #{i}.txt", TXT_RESUME + f"\n#{i}".encode())
            statuses[user].append(r.status_code)
            if r.status_code == 202:
                tokens[user].append(r.json()["consistency_token"])
            if statuses[user].count(410) >= 3:
                return
            time.sleep(0.01)

    threads = []
    for n, user in enumerate(users):
        t = threading.Thread(target=uploader, args=(user,))
        t.start()
        threads.append(t)
        time.sleep(0.05 * n)  # erase at different points of each user's upload sequence
        r = client.request("DELETE", f"/users/{user}", headers=auth(user))
        assert r.status_code == 202, r.text
        erasure_tokens[user] = r.json()["consistency_token"]
    for t in threads:
        t.join(timeout=120)

    for user in users:
        assert statuses[user] and set(statuses[user]) <= {202, 410}, (user, statuses[user])
        assert statuses[user][-1] == 410, (user, statuses[user])  # once erased, uploads answer 410
        # Wait until the worker applied the erasure and every accepted upload: nothing may be left.
        for token in [erasure_tokens[user], *tokens[user]]:
            r = client.get(
                f"/users/{user}/resumes/00000000-0000-4000-8000-000000000000/analysis",
                params={"consistency_token": token},
                headers=auth(user),
            )
            assert r.status_code == 404, r.text
    with psycopg.connect(settings.database_url) as conn:
        for user in users:
            rows = conn.execute(
                "SELECT status, file_name FROM resume_analyses WHERE user_id = %s", (user,)
            ).fetchall()
            assert rows == [], (user, rows)
            destroyed = conn.execute(
                "SELECT destroyed_at IS NOT NULL FROM subject_keys WHERE subject_id = %s", (user,)
            ).fetchone()
            assert destroyed == (True,), user
    for user in users:
        blob_dir = settings.blob_dir / owner_prefix(user)
        wait_until(lambda d=blob_dir: not d.exists(), timeout_s=30, what=f"{user}'s blobs deleted")  # type: ignore[misc]
        time.sleep(0.2)
        assert not blob_dir.exists(), (user, list(blob_dir.iterdir()))
