"""tracker check: validate the workspace; CI runs it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import _context, _options, _out

app = typer.Typer()


@app.command()
def check(
    ctx: typer.Context,
    format: Annotated[
        str, _options.format_option("text", "github", "json", help="text, github (workflow annotations) or json.")
    ] = "text",
) -> None:
    """Validate the data: exit 1 if a rule is broken, 3 if a file is unreadable."""
    from tracker.errors import ExitCode
    from tracker.output.check import check_output
    from tracker.sync import check as check_workspace

    findings, counts = check_workspace(_context.root(ctx), _context.today())
    out, err = check_output(findings, counts, format)
    _out.write(out)
    sys.stderr.write(err)
    if any(fatal for _, fatal in findings):
        raise typer.Exit(ExitCode.DATA)
    raise typer.Exit(ExitCode.PROBLEMS if findings else ExitCode.OK)
