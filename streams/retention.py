"""Retention: delete read-model rows and resume files older than their retention period.

Rules come from settings (days; 0 = keep forever): chat history (`chat_messages` by the message
time), recommendation history (by computation time), resume uploads (analysis rows and their files,
by upload time). The event log is not touched: personal fields there are encrypted, and erasure
shreds them per user. Each run records its cutoffs in `retention_runs` (a projection replay applies
the latest ones, so `replay --verify` still compares equal) and publishes a `RetentionApplied` event
with the counts on the audit topic, where the notary chains it with the access records.
`careerstream retention run` runs it; a worker that runs every projection also runs it on a timer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from kernel.config import Settings
from schemas.events import new_event
from streams.blob_store import blob_store_from_settings
from streams.producer import EventProducer


@dataclass(frozen=True)
class RetentionRule:
    name: str
    table: str
    time_column: str
    days: int


def retention_rules(settings: Settings) -> list[RetentionRule]:
    return [
        RetentionRule("chat_history", "chat_messages", "occurred_at", settings.retention_chat_history_days),
        RetentionRule(
            "recommendation_history", "recommendation_history", "computed_at",
            settings.retention_recommendation_history_days,
        ),
        RetentionRule("resume_uploads", "resume_analyses", "uploaded_at", settings.retention_resume_days),
    ]  # fmt: skip


@dataclass
class RetentionReport:
    run_at: datetime
    cutoffs: dict[str, datetime] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_at": self.run_at.isoformat(),
            "cutoffs": {k: v.isoformat() for k, v in self.cutoffs.items()},
            "deleted": self.deleted,
        }


def _table_exists(conn: psycopg.Connection[Any], table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone() == (True,)


def apply_rule(
    conn: psycopg.Connection[Any], rule: RetentionRule, cutoff: datetime, schema: str = "public"
) -> list[tuple[Any, ...]]:
    """Delete the rule's rows older than `cutoff` in `schema`; returns the deleted rows' (user_id,
    blob_sha256) for resume uploads, else (user_id,)."""
    if not _table_exists(conn, f"{schema}.{rule.table}"):
        return []
    returning = "user_id, blob_sha256" if rule.name == "resume_uploads" else "user_id"
    query = sql.SQL("DELETE FROM {}.{} WHERE {} < %s RETURNING " + returning).format(
        sql.Identifier(schema), sql.Identifier(rule.table), sql.Identifier(rule.time_column)
    )
    return list(conn.execute(query, (cutoff,)).fetchall())


def run_retention(settings: Settings, now: datetime | None = None) -> RetentionReport:
    """One run over every rule with a period; files of deleted uploads go too (unless another upload
    of the same user still points at the same content)."""
    report = RetentionReport(now or datetime.now(UTC))
    blobs = blob_store_from_settings(settings)
    with psycopg.connect(settings.database_url) as conn:
        for rule in retention_rules(settings):
            if rule.days <= 0:
                continue
            cutoff = report.run_at - timedelta(days=rule.days)
            rows = apply_rule(conn, rule, cutoff)
            report.cutoffs[rule.name] = cutoff
            report.deleted[rule.name] = len(rows)
            if rule.name == "resume_uploads":
                files = 0
                for user_id, sha in {(r[0], r[1]) for r in rows if r[1]}:
                    still_used = conn.execute(
                        "SELECT 1 FROM resume_analyses WHERE user_id = %s AND blob_sha256 = %s LIMIT 1",
                        (user_id, sha),
                    ).fetchone()
                    if not still_used and blobs.delete(user_id, sha):
                        files += 1
                report.deleted["resume_files"] = files
            conn.execute(
                "INSERT INTO retention_runs (rule, run_at, cutoff, deleted) VALUES (%s, %s, %s, %s)",
                (rule.name, report.run_at, cutoff, len(rows)),
            )
    return report


def latest_cutoffs(settings: Settings) -> dict[str, datetime]:
    """The newest cutoff of each rule (for replays)."""
    with psycopg.connect(settings.database_url) as conn:
        if not _table_exists(conn, "public.retention_runs"):
            return {}
        rows = conn.execute("SELECT rule, max(cutoff) FROM public.retention_runs GROUP BY rule").fetchall()
    return {rule: cutoff for rule, cutoff in rows}


def retention_event(settings: Settings, report: RetentionReport) -> Any:
    """The RetentionApplied audit event of a run."""
    return new_event(
        "RetentionApplied",
        "retention",
        {
            "policy_days": {r.name: r.days for r in retention_rules(settings)},
            "cutoffs": {rule: cutoff.isoformat() for rule, cutoff in report.cutoffs.items()},
            "deleted": report.deleted,
        },
        producer="retention",
    )


def due(settings: Settings, now: datetime) -> bool:
    """Whether the scheduled run is due: no run within the last `retention_interval_s`."""
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute("SELECT max(run_at) FROM retention_runs").fetchone()
    last = row[0] if row else None
    return last is None or (now - last).total_seconds() >= settings.retention_interval_s


async def run_and_publish(
    settings: Settings, producer: EventProducer, only_if_due: bool = False
) -> RetentionReport | None:
    """A run plus its audit event (the worker's timer passes only_if_due: one run per interval)."""
    now = datetime.now(UTC)
    if only_if_due and not await asyncio.to_thread(due, settings, now):
        return None
    report = await asyncio.to_thread(run_retention, settings, now)
    await producer.publish(retention_event(settings, report))
    return report
