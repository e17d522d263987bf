"""tracker check: validate the workspace; CI runs it."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from . import _common

app = typer.Typer()


class CheckFormat(str, Enum):
    text = "text"
    github = "github"
    json = "json"


@app.command()
def check(
    ctx: typer.Context,
    format: Annotated[
        CheckFormat, typer.Option("--format", help="text, github (workflow annotations) or json.")
    ] = CheckFormat.text,
) -> None:
    """Validate the data: exit 1 if a rule is broken, 3 if a file is unreadable."""
    from tracker.errors import ExitCode
    from tracker.output.check import check_output
    from tracker.sync import check as check_workspace

    findings, counts = check_workspace(_common.root(ctx), _common.today())
    out, err = check_output(findings, counts, format.value)
    sys.stdout.write(out)
    sys.stderr.write(err)
    if any(fatal for _, fatal in findings):
        raise typer.Exit(ExitCode.DATA)
    raise typer.Exit(ExitCode.PROBLEMS if findings else ExitCode.OK)
