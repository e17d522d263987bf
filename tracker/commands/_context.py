"""What a command works on: its workspace, its day, its database (opened once and closed with the
command), where things stood on the dates it reports, and recording returns."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from tracker.db import Connection
    from tracker.domain.corrections import Correction
    from tracker.domain.recommendations import Dataset
    from tracker.domain.returns import Entry
    from tracker.domain.standing import Standing
    from tracker.recording import Added


def root(ctx: typer.Context) -> Path:
    """The workspace: --root, else TRACKER_ROOT, else the nearest folder upwards with recommendations.yaml."""
    from tracker.workspace import find_root

    return find_root(ctx.find_root().obj)


def today() -> date:
    """The day tracker works on: TRACKER_TODAY (YYYY-MM-DD) when it is set and not empty, else the clock's.

    The one place tracker asks the clock; everything below is given the date. Set from outside,
    it lets a test run every command on a day of its choosing."""
    given = os.environ.get("TRACKER_TODAY")
    if not given:
        return date.today()
    from tracker.domain.values import parse_date
    from tracker.errors import UsageError

    try:
        return parse_date(given)
    except ValueError as e:
        raise UsageError(f"TRACKER_TODAY: {e}") from None


def database(ctx: typer.Context) -> Connection:
    """The workspace's database, in line with its YAML and its standing tables as of today: opened
    once, whoever asks, and closed when the command ends, however it ends."""
    conn: Connection | None = ctx.meta.get(_DATABASE)
    if conn is None:
        from tracker.sync import open_synced

        conn = ctx.meta[_DATABASE] = ctx.with_resource(closing(open_synced(root(ctx), today())))
    return conn


def rebuild_database(ctx: typer.Context) -> None:
    """Rebuild the database from the YAML (another program changed it), forgetting the connection
    and the data read from it before."""
    from tracker import db
    from tracker.sync import in_memory, read_only, rebuild

    ctx.meta.pop(_DATABASE, None)
    ctx.meta.pop(_DATASET, None)
    try:
        with closing(rebuild(root(ctx), today())):
            pass
    except (OSError, db.OperationalError) as e:
        if not read_only(e):
            raise
        # A workspace one may only read: the command reads the YAML in memory instead.
        ctx.meta[_DATABASE] = ctx.with_resource(closing(in_memory(root(ctx), today())))


_DATABASE = "tracker.database"  # where the command's context keeps its connection
_DATASET = "tracker.dataset"  # and the recommendations read from it


def dataset(ctx: typer.Context) -> Dataset:
    """The workspace's recommendations, as its database holds them: read once for the command."""
    from tracker import db

    data: Dataset | None = ctx.meta.get(_DATASET)
    if data is None:
        data = ctx.meta[_DATASET] = db.dataset(database(ctx))
    return data


def followed(ctx: typer.Context) -> Dataset:
    """The dataset with only the items the board follows up (every source not kept for reference):
    what reports, the chase, packs and the paper are made of."""
    from dataclasses import replace

    data = dataset(ctx)
    if len(data.followed) == len(data.recommendations):
        return data
    key = _DATASET + ".followed"
    if key not in ctx.meta:
        ctx.meta[key] = replace(data, recommendations=data.followed)
    return ctx.meta[key]  # type: ignore[no-any-return]


def standings(conn: Connection, data: Dataset, as_of: date) -> list[Standing]:
    """Where every recommendation stood on `as_of`, ignoring returns dated after it (as the sync
    works it out for the standing tables)."""
    from tracker.standings import standings as standings_on

    return standings_on(conn, data, as_of)


def standings_over(conn: Connection, data: Dataset, dates: Sequence[date]) -> list[tuple[date, list[Standing]]]:
    """Where every recommendation stood on each of `dates`, in one look at the database."""
    from tracker.standings import standings_over as over

    return over(conn, data, dates)


def record(ctx: typer.Context, returns: Sequence[Entry | Correction], today: date) -> Added:
    """Record returns (or corrections) in their files and the database (recording.add_returns)."""
    from tracker.errors import release_interrupts
    from tracker.recording import add_returns

    ctx.call_on_close(release_interrupts)
    return add_returns(root(ctx), returns, today, database(ctx), dataset(ctx))


def warn_if_lagging(reason: str | None) -> None:
    """Say that tracker.db could not take what was recorded: the status files hold it all the same."""
    if reason is not None:
        from tracker.output.text import clean

        typer.echo(
            f"tracker: warning: recorded in the status file, but tracker.db could not be updated ({clean(reason)});"
            " the next command will bring it in line",
            err=True,
        )
