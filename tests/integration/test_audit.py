"""The auditor's workflow: reads of personal data are audit events, notarized in a hash chain that
`audit verify` checks; auditors read a user's decoded history and its access log over HTTP."""

from __future__ import annotations

import json
import uuid

import psycopg
from fastapi.testclient import TestClient

from kernel.config import Settings
from streams.audit_verify import verify_chain
from tests.conftest import wait_until


def accesses(client: TestClient, auth, subject: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    r = client.get("/audit/access", params={"subject": subject}, headers=auth("aud-1", "auditor"))
    assert r.status_code == 200, r.text
    return r.json()["accesses"]  # type: ignore[no-any-return]


def test_reads_are_audited_chained_and_visible_to_auditors(
    client: TestClient, auth, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    user = f"audited-{uuid.uuid4().hex[:8]}"
    svc = auth("onboarding", "service")
    r = client.post(
        "/users", json={"user_id": user, "email": f"{user}@example.org", "display_name": "Ann"}, headers=svc
    )
    assert r.status_code == 202
    r = client.put(f"/users/{user}/profile", json={"skills": ["SQL"], "location": "Lyon"}, headers=svc)
    token = r.json()["consistency_token"]
    r = client.get(f"/users/{user}/profile", params={"consistency_token": token}, headers=auth(user))
    assert r.status_code == 200 and r.json()["location"] == "Lyon"
    assert (
        client.get(f"/users/{user}/profile", headers=auth("someone-else")).status_code == 403
    )  # not audited

    # Only auditors and admins read the audit API.
    assert client.get("/audit/access", params={"subject": user}, headers=auth(user)).status_code == 403
    assert client.get(f"/audit/users/{user}/events", headers=svc).status_code == 403

    r = client.get(f"/audit/users/{user}/events", headers=auth("aud-1", "auditor"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in r.text.splitlines()]
    assert [e["event_type"] for e in events] == ["UserRegistered", "ProfileUpdated"]
    assert events[1]["payload"]["location"] == "Lyon" and events[1]["redacted"] == []
    only = client.get(
        f"/audit/users/{user}/events",
        params={"event_type": "UserRegistered"},
        headers=auth("aud-1", "auditor"),
    )
    assert [json.loads(line)["event_type"] for line in only.text.splitlines()] == ["UserRegistered"]

    # The user's own read and the auditor's two reads of the history are in the access log, and so are
    # the auditor's reads of the access log itself (each call of `accesses` is one).
    def logged() -> list[tuple[str, str, str]]:
        rows = [(a["accessor"], a["resource"], a["purpose"]) for a in accesses(client, auth, user)]
        return sorted(r for r in rows if r[1] != "access_log")

    wait_until(lambda: len(logged()) >= 3, 30, "three access records notarized")
    assert logged() == [
        ("aud-1", "audit_events", "gdpr_audit"),
        ("aud-1", "audit_events", "gdpr_audit"),
        (user, "user_profiles", "self_service"),
    ]
    # The auditor's reads of the access log are notarized like any other access: asynchronously.
    wait_until(
        lambda: (
            ("aud-1", "access_log", "gdpr_audit")
            in [(a["accessor"], a["resource"], a["purpose"]) for a in accesses(client, auth, user)]
        ),
        30,
        "the auditor's read of the access log notarized",
    )
    own = next(a for a in accesses(client, auth, user) if a["resource"] == "user_profiles")
    assert {"email", "location", "display_name"} <= set(own["fields"])

    # Erasure: the history stays readable to auditors, personal fields redacted.
    assert client.request("DELETE", f"/users/{user}", headers=auth(user)).status_code == 202
    wait_until(
        lambda: (
            "location"
            in json.loads(
                client.get(f"/audit/users/{user}/events", headers=auth("aud-1", "auditor")).text.splitlines()[
                    1
                ]
            )["redacted"]
        ),
        30,
        "the erasure to take effect",
    )

    # The chain holds; altering one notarized record is found, at that record.
    wait_until(
        lambda: verify_chain(settings)[1] is None and verify_chain(settings)[0] >= 5, 30, "an intact chain"
    )
    tamper = 'UPDATE access_log SET record_sha256 = %s WHERE topic = %s AND partition = %s AND "offset" = %s'
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute(
            'SELECT topic, partition, "offset", record_sha256 FROM access_log WHERE subject_id = %s LIMIT 1',
            (user,),
        ).fetchone()
        assert row is not None
        conn.execute(tamper, ("0" * 64, *row[:3]))
        conn.commit()
        try:
            _checked, first_break = verify_chain(settings)
            assert first_break is not None and (first_break.partition, first_break.offset) == (row[1], row[2])
            assert "differ" in first_break.problem
        finally:
            conn.execute(tamper, (row[3], *row[:3]))
    assert verify_chain(settings)[1] is None
