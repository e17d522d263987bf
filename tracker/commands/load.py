"""tracker load: bring tracker.db in line with the YAML, or rebuild it."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from . import _common

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

    root = _common.root(ctx)
    conn = ctx.with_resource(closing(sync.rebuild(root, _common.today()))) if rebuild else _common.database(ctx)
    summary = counted(db.counts(conn))
    _common.echo(f"{root / db.NAME}: {'rebuilt' if rebuild else 'in sync'}: {summary}")
