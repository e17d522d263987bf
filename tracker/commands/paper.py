"""tracker paper: the board paper."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from . import _common

app = typer.Typer()


@app.command()
def paper(
    ctx: typer.Context,
    as_of: _common.AsOf = None,
    since: Annotated[
        str | None, typer.Option("--since", help="The last board's date (default: one reporting window earlier).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the paper to this file (atomically) instead of stdout.")
    ] = None,
) -> None:
    """Write the board paper in markdown: summary, exceptions, decisions, appendices."""
    from tracker import db
    from tracker.errors import DataError
    from tracker.output.paper import board_paper

    conn = _common.database(ctx)
    data = db.dataset(conn)
    day = _common.option_date(as_of, "--as-of", _common.today())
    before = _common.option_date(since, "--since", day - timedelta(days=data.reporting_window_days))
    if before >= day:
        raise DataError(f"--since: {before} is not before the paper's date {day}")
    text = board_paper(data, day, _common.standings(conn, data, day), before, _common.standings(conn, data, before))
    if out is None:
        _common.write(text)
        return
    from tracker.workspace import write_out

    write_out(_common.root(ctx), out, text.encode("utf-8"), "--out")
    _common.echo(f"wrote {out}", err=True)
