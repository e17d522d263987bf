"""tracker datasette-metadata: titles, descriptions, facets and canned queries for `datasette tracker.db`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import _common

app = typer.Typer()


@app.command("datasette-metadata")
def datasette_metadata(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the metadata to this file (atomically) instead of stdout.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="For Datasette 1.0: write its configuration (facets, canned queries) to this file, leaving the metadata"
            " only titles, descriptions and column labels.",
        ),
    ] = None,
) -> None:
    """Write Datasette metadata for tracker.db as JSON: titles, column labels, facets, canned queries."""
    import os

    from tracker import db
    from tracker.errors import DataError, UsageError
    from tracker.output.datasette import datasette_metadata, split
    from tracker.output.jsonout import to_json

    if out is not None and config is not None and out.resolve() == config.resolve():
        raise UsageError(f"--out and --config both name {out}: the metadata and the configuration are two files")
    out = None if out is not None and _common.names_stdout(out) else out
    for option, path in (("--out", out), ("--config", config)):  # both checked before either is written
        if path is None:
            continue
        if _common.names_stdout(path):
            raise UsageError(f"{option}: the configuration goes to a file; the metadata goes to stdout without --out")
        if not path.resolve().parent.is_dir():
            raise DataError(f"{option}: the folder {path.parent} does not exist")
        if not os.access(path.resolve().parent, os.W_OK):
            raise DataError(f"{option}: cannot write into the folder {path.parent}")
    conn = _common.database(ctx)
    queries = {"owed_returns": db.OWED_RETURNS, "overdue": db.OVERDUE}
    metadata = datasette_metadata(db.dataset(conn), Path(db.NAME).stem, queries)
    if config is not None:
        from tracker.workspace import write_out

        metadata, configuration = split(metadata)
        write_out(_common.root(ctx), config, to_json(configuration).encode("utf-8"), "--config")
        _common.echo(f"wrote {config}", err=True)
    if out is None:
        _common.write(to_json(metadata))
        return
    from tracker.workspace import write_out

    write_out(_common.root(ctx), out, to_json(metadata).encode("utf-8"), "--out")
    _common.echo(f"wrote {out}", err=True)
