"""tracker datasette-metadata: titles, descriptions, facets and canned queries for `datasette tracker.db`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import _context, _out
from ._out import Out

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
    from tracker import db
    from tracker.errors import UsageError
    from tracker.output.datasette import datasette_metadata, split
    from tracker.output.jsonout import to_json
    from tracker.workspace import resolved_output

    if out is not None and config is not None and resolved_output(out, "--out") == resolved_output(config, "--config"):
        raise UsageError(f"--out and --config both name {out}: the metadata and the configuration are two files")
    if config is not None and _out.names_stdout(config):
        raise UsageError("--config: the configuration goes to a file; the metadata goes to stdout without --out")
    to, configured = Out.of(out), Out.of(config, "--config")
    for each in (to, configured):  # both checked before either is written
        each.writable()
    queries = {"owed_returns": db.OWED_RETURNS, "overdue": db.OVERDUE}
    metadata = datasette_metadata(_context.dataset(ctx), Path(db.NAME).stem, queries)
    if config is not None:
        metadata, configuration = split(metadata)
        configured.write(ctx, to_json(configuration))
    to.write(ctx, to_json(metadata))
