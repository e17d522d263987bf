"""tracker check: validate the workspace; CI runs it."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import _context, _options, _out

if TYPE_CHECKING:
    from tracker.domain.problem import Problem

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

    root, today = _context.root(ctx), _context.today()
    findings, counts = check_workspace(root, today)
    if not any(fatal for _, fatal in findings):
        findings += _secretariat(root, today, counts)
    out, err = check_output(findings, counts, format)
    _out.write(out)
    sys.stderr.write(err)
    if any(fatal for _, fatal in findings):
        raise typer.Exit(ExitCode.DATA)
    raise typer.Exit(ExitCode.PROBLEMS if findings else ExitCode.OK)


def _secretariat(root: Path, today: date, counts: dict[str, int]) -> list[tuple[Problem, bool]]:
    """The problems of the secretariat's own record (actions.yaml, meetings.yaml), each with
    whether it made a file unreadable: checked against recommendations.yaml as it reads. The
    actions log's actions are counted in `counts` where there is one."""
    import os

    from tracker.domain.board import ACTIONS, MEETINGS
    from tracker.domain.problem import Problem
    from tracker.errors import DataError
    from tracker.loading import load_board_record, load_workspace_dataset

    if not any(os.path.lexists(root / name) for name in (ACTIONS, MEETINGS)):
        return []
    try:
        data, _ = load_workspace_dataset(root)
        record = load_board_record(root, data, today)
    except DataError as e:
        return [(Problem(e.file or ACTIONS, e.line, e.message), True)]
    if os.path.lexists(root / ACTIONS):
        counts["actions"] = len(record.actions)
    return [(p, False) for p in record.problems]
