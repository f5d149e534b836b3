"""Postgres adapter: loads the rows projections read and applies their changes with the log positions.

Rows and `projection_positions` are written in one transaction, and the positions of the batch's
partitions are locked (`FOR UPDATE`) first, so a redelivered event (offset below the stored next
offset) is skipped, and two workers briefly owning one partition during a rebalance serialise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from projections.framework import Change, Delete, DeleteWhere, Key, Row, Table, Upsert

TopicPartition = tuple[str, int]


async def lock_positions(
    conn: AsyncConnection[Any], projection: str, partitions: Iterable[TopicPartition]
) -> dict[TopicPartition, int]:
    """Lock and return the next offset to apply for each partition (0 for a partition never seen)."""
    parts = sorted(set(partitions))
    topics = [t for t, _ in parts]
    nums = [p for _, p in parts]
    await conn.execute(
        """INSERT INTO projection_positions (projection, topic, partition, next_offset)
           SELECT %s, t, p, 0 FROM unnest(%s::text[], %s::int[]) AS u(t, p)
           ON CONFLICT DO NOTHING""",
        (projection, topics, nums),
    )
    cur = await conn.execute(
        """SELECT pp.topic, pp.partition, pp.next_offset FROM projection_positions pp
           JOIN unnest(%s::text[], %s::int[]) AS u(t, p) ON pp.topic = u.t AND pp.partition = u.p
           WHERE pp.projection = %s
           ORDER BY pp.topic, pp.partition
           FOR UPDATE OF pp""",
        (topics, nums, projection),
    )
    return {(t, p): int(o) for t, p, o in await cur.fetchall()}


async def save_positions(
    conn: AsyncConnection[Any], projection: str, positions: Mapping[TopicPartition, int]
) -> None:
    """Record the next offset to apply per partition (same transaction as the rows)."""
    async with conn.cursor() as cur:
        await cur.executemany(
            """UPDATE projection_positions SET next_offset = %s, updated_at = now()
               WHERE projection = %s AND topic = %s AND partition = %s AND next_offset < %s""",
            [(off, projection, t, p, off) for (t, p), off in positions.items()],
        )


async def load_fences(conn: AsyncConnection[Any], projection: str, subjects: Iterable[str]) -> set[str]:
    """Subjects this projection has seen erased (see `BatchApplier`, the erasure fence)."""
    cur = await conn.execute(
        "SELECT subject_id FROM projection_fences WHERE projection = %s AND subject_id = ANY(%s)",
        (projection, list(subjects)),
    )
    return {r[0] for r in await cur.fetchall()}


async def save_fences(conn: AsyncConnection[Any], projection: str, subjects: Iterable[str]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO projection_fences (projection, subject_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(projection, s) for s in sorted(subjects)],
        )


async def recently_erased_unfenced(
    conn: AsyncConnection[Any], projection: str, within_s: float, limit: int = 500
) -> list[str]:
    """Subjects the erasure ledger (`erasures`, written with the key's destruction by projections/
    gdpr.py) recorded within the last `within_s` seconds that `projection` has not fenced yet."""
    cur = await conn.execute(
        """SELECT e.user_id FROM erasures e
           WHERE e.requested_at >= now() - make_interval(secs => %s)
             AND NOT EXISTS (SELECT 1 FROM projection_fences f
                             WHERE f.projection = %s AND f.subject_id = e.user_id)
           ORDER BY e.requested_at LIMIT %s""",
        (within_s, projection, limit),
    )
    return [r[0] for r in await cur.fetchall()]


async def lock_rows(conn: AsyncConnection[Any], wanted: Iterable[tuple[str, Key]]) -> None:
    """Serialise transactions that read-modify-write the same rows (a projection fed by two topics can
    get concurrent batches about one user). Transaction-scoped advisory locks, taken in sorted order so
    two batches can't deadlock; they also cover rows that don't exist yet, unlike SELECT .. FOR UPDATE."""
    names = sorted({f"{table}/{key!r}" for table, key in wanted})
    if names:
        await conn.execute(
            """SELECT pg_advisory_xact_lock(h) FROM (
                   SELECT DISTINCT hashtextextended(n, 4242) AS h FROM unnest(%s::text[]) AS n ORDER BY h
               ) AS ordered""",
            (names,),
        )


async def load_rows(
    conn: AsyncConnection[Any], tables: Mapping[str, Table], wanted: Iterable[tuple[str, Key]]
) -> dict[tuple[str, Key], Row | None]:
    """Fetch the requested rows (absent ones map to None), one query per table."""
    by_table: dict[str, set[Key]] = {}
    for table_name, key in wanted:
        by_table.setdefault(table_name, set()).add(key)
    rows: dict[tuple[str, Key], Row | None] = {}
    for table_name, keys in by_table.items():
        table = tables[table_name]
        for key in keys:
            rows[(table_name, key)] = None
        params: list[Any]
        if len(table.key_columns) == 1:
            # One array parameter: far cheaper to parse and plan than thousands of placeholders.
            query = sql.SQL("SELECT * FROM {} WHERE {} = ANY(%s)").format(
                sql.Identifier(table.name), sql.Identifier(table.key_columns[0])
            )
            params = [[key[0] for key in keys]]
        else:
            key_cols = sql.SQL(", ").join(map(sql.Identifier, table.key_columns))
            values = sql.SQL(", ").join(
                sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(table.key_columns)))
                for _ in keys
            )
            query = sql.SQL("SELECT * FROM {} WHERE ({}) IN ({})").format(
                sql.Identifier(table.name), key_cols, values
            )
            params = [v for key in keys for v in key]
        async with conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query, params)
            for row in await cur.fetchall():
                rows[(table_name, table.key_of(row))] = row
    return rows


async def _copy_upsert(cur: Any, table: Table, rows: list[Row]) -> None:
    """COPY rows into a temp staging table, then one INSERT .. SELECT .. ON CONFLICT.

    Far cheaper than thousands of single-row statements (or one statement with tens of thousands of
    placeholders, which psycopg spends longer composing than Postgres spends executing). Keys are unique
    within a batch because changes are coalesced first, as ON CONFLICT requires.
    """
    stage = sql.Identifier(f"_stage_{table.name}")
    cols = sql.SQL(", ").join(map(sql.Identifier, table.columns))
    await cur.execute(
        sql.SQL(
            "CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        ).format(stage, sql.Identifier(table.name))
    )
    async with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage, cols)) as copy:
        for row in rows:
            await copy.write_row(_adapt(table, row))
    updates = sql.SQL(", ").join(
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c))
        for c in table.columns
        if c not in table.key_columns
    )
    await cur.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) DO UPDATE SET {}").format(
            sql.Identifier(table.name),
            cols,
            cols,
            stage,
            sql.SQL(", ").join(map(sql.Identifier, table.key_columns)),
            updates,
        )
    )
    await cur.execute(sql.SQL("TRUNCATE {}").format(stage))


def _adapt(table: Table, row: Row) -> list[Any]:
    return [Jsonb(row.get(c)) if c in table.json_columns else row.get(c) for c in table.columns]


async def write_changes(
    conn: AsyncConnection[Any], tables: Mapping[str, Table], changes: Sequence[Change]
) -> None:
    """Apply row changes in order, batching consecutive changes of one kind and table into executemany."""
    row_changes = [c for c in changes if isinstance(c, Upsert | Delete | DeleteWhere)]
    for (kind, table_name), group in groupby(row_changes, key=lambda c: (type(c), c.table)):
        table = tables[table_name]
        items = list(group)
        async with conn.cursor() as cur:
            if kind is Upsert:
                await _copy_upsert(cur, table, [c.row for c in items])  # type: ignore[union-attr]
            elif kind is Delete:
                where = sql.SQL(" AND ").join(
                    sql.SQL("{} = %s").format(sql.Identifier(c)) for c in table.key_columns
                )
                query = sql.SQL("DELETE FROM {} WHERE {}").format(sql.Identifier(table.name), where)
                await cur.executemany(query, [list(c.key) for c in items])  # type: ignore[union-attr]
            else:
                for c in items:
                    assert isinstance(c, DeleteWhere)
                    await cur.execute(
                        sql.SQL("DELETE FROM {} WHERE {} = %s").format(
                            sql.Identifier(table.name), sql.Identifier(c.column)
                        ),
                        (c.value,),
                    )
