"""tracker assess: the board's own assessment of a recommendation."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.errors import DataError, UsageError

from . import _common

app = typer.Typer()


@app.command()
def assess(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(help="The recommendation's number.")],
    rag: Annotated[str, typer.Option("--rag", help="red, amber, green or complete; or R, A, G, C (B for blue).")] = "",
    summary: Annotated[str, typer.Option("--summary", help="The board's reading of the evidence.")] = "",
    on: Annotated[str | None, typer.Option("--date", help="Date of the assessment, YYYY-MM-DD (default: today).")] = None,
    author: Annotated[
        str | None, typer.Option("--author", help="Who recorded it (default: TRACKER_AUTHOR, git user.name, login).")
    ] = None,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="A link to evidence (http or https); repeatable.")
    ] = None,
) -> None:
    """Record the board's own assessment of recommendation N, beside the departments' returns."""
    from tracker.domain.rating import RATING_CHOICES
    from tracker.domain.returns import FieldError, return_from_text

    from .returns import author_of

    if not rag:
        raise UsageError(f"--rag is required ({RATING_CHOICES})")
    if not summary.strip():
        raise UsageError("--summary is required: the board's reading of the evidence")
    root, today = _common.root(ctx), _common.today()
    data = _common.dataset(ctx)
    data.recommendation(number)
    day = _common.option_date(on or None, "--date", today)
    fields = {
        "recommendation": str(number),
        "date": day.isoformat(),
        "rag": rag,
        "summary": summary,
        "author": author or author_of(root),
    }
    try:
        new = return_from_text(fields, evidence or [], data, today)
    except FieldError as e:
        origin = " (taken from TRACKER_AUTHOR, git's user.name or the login name)" if e.field == "author" and not author else ""
        raise DataError(f"--{e.field.replace('_', '-')}: {e.message}{origin}") from None
    added = _common.record(ctx, [new], today)
    _common.warn_if_lagging(added.database_lags)
    if not added.returns:
        _common.write_after_recording("already recorded: nothing was added\n")
        return
    from tracker.output.plain import recorded

    _common.write_after_recording(recorded(data, added.returns[0]))
