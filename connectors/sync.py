"""Full and incremental catalog sync: provider pages in, only real changes out.

A course is published when its content hash differs from the one stored for it; a full sync also
publishes a removal for every stored course the provider no longer lists. Output goes through the
``publish`` callback in batches, and the stored hashes are only updated *after* a batch is published,
so a crash between the two republishes (at-least-once) instead of losing a change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from rich.progress import Progress, TaskID

from connectors.provider import CoursePage, CourseProvider
from connectors.sync_state import SyncStateStore
from engines.course_search.record import CourseRecord, CourseRemoval, MalformedRecord

log = structlog.get_logger(__name__)

PublishFn = Callable[[list[CourseRecord], list[CourseRemoval]], Awaitable[None]]


@dataclass
class SyncReport:
    """What one sync of one provider did."""

    provider: str
    mode: str
    pages: int = 0
    seen: int = 0
    upserts: int = 0
    unchanged: int = 0
    removals: int = 0
    withheld_removals: int = 0
    malformed: list[MalformedRecord] = field(default_factory=list)
    error: str | None = None
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the sync ran to the end."""
        return self.error is None


class SyncFailedError(RuntimeError):
    """A sync that stopped early; ``report`` says what it had done (and published) by then."""

    def __init__(self, report: SyncReport) -> None:
        super().__init__(f"sync of {report.provider} failed: {report.error}")
        self.report = report


def select_changed(records: Sequence[CourseRecord], stored_hashes: dict[str, str]) -> list[CourseRecord]:
    """Records that are new or whose content hash differs from the stored one (last one wins per id)."""
    latest = {r.course_id: r for r in records}
    return [r for cid, r in latest.items() if stored_hashes.get(cid) != r.content_hash]


def find_removed(known_ids: Iterable[str], seen_ids: set[str]) -> list[str]:
    """Known course ids absent from a complete listing, sorted for stable output."""
    return sorted(cid for cid in known_ids if cid not in seen_ids)


def _batches(items: Sequence[CourseRemoval], size: int) -> Iterable[list[CourseRemoval]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class SyncEngine:
    """Runs syncs for providers against a state store, publishing changes through ``publish``."""

    def __init__(
        self,
        store: SyncStateStore,
        publish: PublishFn,
        *,
        batch_size: int = 500,
        max_removal_fraction: float = 0.5,
        incremental_overlap: timedelta = timedelta(minutes=10),
        progress: Progress | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.publish = publish
        self.batch_size = batch_size
        self.max_removal_fraction = max_removal_fraction
        # Re-asking for a little more than strictly needed absorbs clock skew with the provider;
        # the hash comparison drops the duplicates this causes.
        self.incremental_overlap = incremental_overlap
        self.progress = progress
        self.clock = clock

    async def full_sync(self, provider: CourseProvider) -> SyncReport:
        """List the whole catalog: publish new/changed courses, then removals for the missing ones."""
        return await self._run(provider, "full", provider.list_courses())

    async def incremental_sync(self, provider: CourseProvider, since: datetime | None = None) -> SyncReport:
        """Publish courses changed since ``since`` (default: last sync minus the overlap); no removals.

        With no ``since`` and no stored state, falls back to a full sync.
        """
        if since is None:
            last = await self.store.last_seen_at(provider.name)
            if last is None:
                return await self.full_sync(provider)
            since = last - self.incremental_overlap
        return await self._run(provider, "incremental", provider.list_changes(since))

    async def _run(self, provider: CourseProvider, mode: str, pages: object) -> SyncReport:
        report = SyncReport(provider=provider.name, mode=mode)
        started = time.monotonic()
        task = self.progress.add_task(f"{provider.name} ({mode})", total=None) if self.progress else None
        pending: dict[str, CourseRecord] = {}
        seen: set[str] = set()
        try:
            async for page in pages:  # type: ignore[attr-defined]
                await self._handle_page(provider.name, mode, page, pending, seen, report, task)
            await self._flush(provider.name, pending, report)
            if mode == "full":
                await self._publish_removals(provider.name, seen, report)
        except Exception as exc:
            report.error = f"{type(exc).__name__}: {exc}"
            log.warning("sync_failed", provider=provider.name, mode=mode, error=report.error)
            # What was fetched before the failure is still valid: publish it, but no removals
            # since the listing is incomplete.
            if pending:
                try:
                    await self._flush(provider.name, pending, report)
                except Exception as flush_exc:  # e.g. the publisher itself is what failed
                    log.warning("sync_flush_failed", provider=provider.name, error=str(flush_exc))
            raise SyncFailedError(report) from exc
        finally:
            report.duration_s = time.monotonic() - started
            if self.progress is not None and task is not None:
                self.progress.update(task, description=f"{provider.name} ({mode}) done")
        log.info(
            "sync_done",
            provider=provider.name,
            mode=mode,
            seen=report.seen,
            upserts=report.upserts,
            removals=report.removals,
            malformed=len(report.malformed),
        )
        return report

    async def _handle_page(
        self,
        provider: str,
        mode: str,
        page: CoursePage,
        pending: dict[str, CourseRecord],
        seen: set[str],
        report: SyncReport,
        task: TaskID | None,
    ) -> None:
        report.pages += 1
        report.seen += len(page.records)
        for bad in page.malformed:
            log.warning("malformed_course_record", provider=provider, raw_id=bad.raw_id, reason=bad.reason)
        report.malformed += page.malformed
        ids = [r.course_id for r in page.records]
        seen.update(ids)
        stored = await self.store.get_hashes(provider, ids)
        # Courses already waiting in this run's batch compare against their pending version.
        stored.update({cid: pending[cid].content_hash for cid in ids if cid in pending})
        changed = select_changed(page.records, stored)
        changed_ids = {r.course_id for r in changed}
        unchanged = [(r.course_id, r.content_hash) for r in page.records if r.course_id not in changed_ids]
        report.unchanged += len(unchanged)
        if mode == "full" and unchanged:
            # Stamp unchanged courses as seen so seen_at tells when the provider last listed them.
            await self.store.save(provider, unchanged, self.clock())
        for record in changed:
            pending[record.course_id] = record
        if len(pending) >= self.batch_size:
            await self._flush(provider, pending, report)
        if self.progress is not None and task is not None:
            self.progress.update(task, total=page.total, advance=len(page.records) + len(page.malformed))

    async def _flush(self, provider: str, pending: dict[str, CourseRecord], report: SyncReport) -> None:
        while pending:
            batch = list(pending.values())[: self.batch_size]
            await self.publish(batch, [])
            await self.store.save(provider, [(r.course_id, r.content_hash) for r in batch], self.clock())
            for record in batch:
                del pending[record.course_id]
            report.upserts += len(batch)

    async def _publish_removals(self, provider: str, seen: set[str], report: SyncReport) -> None:
        known = await self.store.all_course_ids(provider)
        removed = find_removed(known, seen)
        if not removed:
            return
        if known and len(removed) / len(known) > self.max_removal_fraction:
            # An empty or truncated listing looks like mass deletion; don't trust it.
            report.withheld_removals = len(removed)
            log.warning(
                "removals_withheld",
                provider=provider,
                removed=len(removed),
                known=len(known),
                max_fraction=self.max_removal_fraction,
            )
            return
        removals = [CourseRemoval(cid, provider, "missing from full sync") for cid in removed]
        for batch in _batches(removals, self.batch_size):
            await self.publish([], batch)
            await self.store.delete(provider, [r.course_id for r in batch])
            report.removals += len(batch)


async def sync_providers(
    engine: SyncEngine, providers: Sequence[CourseProvider], full: bool = False
) -> list[SyncReport]:
    """Sync several providers concurrently; one failing (or circuit-open) provider never stops the others."""

    async def one(provider: CourseProvider) -> SyncReport:
        try:
            if full:
                return await engine.full_sync(provider)
            return await engine.incremental_sync(provider)
        except SyncFailedError as exc:
            return exc.report
        except Exception as exc:  # e.g. the state store failing before the listing started
            return SyncReport(
                provider=provider.name,
                mode="full" if full else "incremental",
                error=f"{type(exc).__name__}: {exc}",
            )

    return list(await asyncio.gather(*(one(p) for p in providers)))
