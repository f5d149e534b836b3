"""CLI entry points for the connectors (plain typer-annotated functions; the project CLI registers them).

The publisher (where changes go, i.e. Kafka) is supplied by the event backbone through
``set_publisher``; ``--dry-run`` syncs against an in-memory state and only counts what would be published.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from connectors.provider import build_provider
from connectors.sync import PublishFn, SyncEngine, SyncReport, sync_providers
from connectors.sync_state import InMemorySyncStateStore, PostgresSyncStateStore, SyncStateStore
from engines.course_search.record import CourseRecord, CourseRemoval
from kernel.config import Settings, get_settings
from kernel.connectors_config import ConnectorsConfig

_publisher: PublishFn | None = None


def set_publisher(publish: PublishFn) -> None:
    """Install the function that publishes course changes (the backbone wires this to Kafka)."""
    global _publisher
    _publisher = publish


async def _counting_publisher(records: list[CourseRecord], removals: list[CourseRemoval]) -> None:
    """Dry-run publisher: publishes nothing (the sync report carries the counts)."""


async def _run_sync(
    names: list[str], full: bool, backbone: Settings, settings: ConnectorsConfig, dry_run: bool
) -> list[SyncReport]:
    publish = _counting_publisher if dry_run else _publisher
    if publish is None:
        raise typer.BadParameter("no publisher installed (cli.sync.set_publisher); use --dry-run")
    store: SyncStateStore
    pg_store: PostgresSyncStateStore | None = None
    if dry_run:
        store = InMemorySyncStateStore()
    else:
        pg_store = await PostgresSyncStateStore.connect(backbone.database_url)
        store = pg_store
    providers = [build_provider(settings.provider(n), settings, backbone.redis_url) for n in names]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns) as progress:
            engine = SyncEngine(
                store,
                publish,
                batch_size=settings.publish_batch_size,
                max_removal_fraction=settings.max_removal_fraction,
                progress=progress,
            )
            return await sync_providers(engine, providers, full=full)
    finally:
        for p in providers:
            await p.aclose()
        if pg_store is not None:
            await pg_store.close()


def sync_to_kafka(
    provider: Annotated[
        str, typer.Argument(help="Configured provider name, or 'all' for every enabled one.")
    ],
    full: Annotated[bool, typer.Option("--full", help="Full sync (also detects removed courses).")] = False,
    config: Annotated[
        Path | None, typer.Option(help="JSON connectors config (default CONNECTORS_FILE); env wins over it.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="In-memory state, publish nothing.")] = False,
) -> None:
    """Sync course catalogs, publishing CourseUpserted/CourseRemoved on the `courses` topic (only real
    changes: an unchanged catalog publishes nothing). Sync state lives in the CareerStream database."""
    # lazy: a command imports only what it runs (start-up of `careerstream --help`)
    from connectors.kafka_publisher import KafkaCoursePublisher

    backbone = get_settings()
    settings = backbone.connectors_config(config)
    publisher = KafkaCoursePublisher(backbone)
    set_publisher(publisher)
    try:
        _sync(backbone, settings, provider, full, dry_run)
    finally:
        publisher.close()
    typer.echo(f"published {publisher.published} course event(s)")


def _sync(backbone: Settings, settings: ConnectorsConfig, provider: str, full: bool, dry_run: bool) -> None:
    names = [p.name for p in settings.providers if p.enabled] if provider == "all" else [provider]
    if not names:
        raise typer.BadParameter("no providers configured")
    reports = asyncio.run(_run_sync(names, full, backbone, settings, dry_run))
    table = Table("provider", "mode", "seen", "upserts", "unchanged", "removals", "malformed", "status")
    for r in reports:
        status = "ok" if r.ok else f"[red]{r.error}[/red]"
        if r.withheld_removals:
            status += f" ({r.withheld_removals} removals withheld)"
        table.add_row(
            r.provider,
            r.mode,
            str(r.seen),
            str(r.upserts),
            str(r.unchanged),
            str(r.removals),
            str(len(r.malformed)),
            status,
        )
    Console().print(table)
    if not all(r.ok for r in reports):
        raise typer.Exit(code=1)
