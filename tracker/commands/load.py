"""tracker load: bring tracker.db in line with the YAML, or rebuild it."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from . import _context, _out

app = typer.Typer()


@app.command()
def load(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build tracker.db from scratch instead of syncing what changed.")
    ] = False,
) -> None:
    """Bring tracker.db in line with the YAML (or rebuild it)."""
    from tracker import db, sync
    from tracker.output.check import counted

    root = _context.root(ctx)
    conn = ctx.with_resource(closing(sync.rebuild(root, _context.today()))) if rebuild else _context.database(ctx)
    if db.in_memory(conn):  # the workspace may only be read: the YAML was read, and tracker.db left as it was
        from tracker.errors import DataError

        raise DataError(
            f"cannot write it: the workspace may only be read; its YAML is valid ({counted(db.counts(conn))}),"
            " and read commands read it in memory",
            db.NAME,
        )
    summary = counted(db.counts(conn))
    _out.echo(f"{root / db.NAME}: {'rebuilt' if rebuild else 'in sync'}: {summary}")
