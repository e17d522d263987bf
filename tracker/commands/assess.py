"""tracker assess: the board's own assessment of a recommendation."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.errors import UsageError

from . import _context, _options

app = typer.Typer()


@app.command()
def assess(
    ctx: typer.Context,
    item: _options.Item,
    rag: Annotated[
        str,
        typer.Option("--rag", help="red, amber, green or complete; or R, A, G, C (B for blue).", autocompletion=_options.RATINGS),
    ] = "",
    summary: Annotated[str, typer.Option("--summary", help="The board's reading of the evidence.")] = "",
    on: Annotated[str | None, typer.Option("--date", help="The day the board assessed, YYYY-MM-DD (default: today).")] = None,
    evidence_date: Annotated[
        str | None,
        typer.Option(
            "--evidence-date",
            help="When the evidence is from, if older: YYYY-MM-DD, YYYY-MM or YYYY (papers as of earlier dates show it then).",
        ),
    ] = None,
    author: _options.Author = None,
    evidence: _options.Evidence = None,
) -> None:
    """Record the board's own assessment of recommendation N, beside the departments' returns."""
    from tracker.domain.rating import RATING_CHOICES

    from .returns import record_one

    if not rag:
        raise UsageError(f"--rag is required ({RATING_CHOICES})")
    if not summary.strip():
        raise UsageError("--summary is required: the board's reading of the evidence")
    rec = _context.dataset(ctx).lookup(item)
    day = _options.option_date(on or None, "--date", _context.today())
    fields = {"recommendation": rec.shown, "date": day.isoformat(), "rag": rag, "summary": summary}
    if evidence_date is not None:
        if not evidence_date.strip():
            raise UsageError("--evidence-date is empty: give YYYY-MM-DD, YYYY-MM or YYYY, or leave it out")
        fields["evidence_date"] = evidence_date
    record_one(ctx, fields, author, evidence or [])
