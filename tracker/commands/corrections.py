"""tracker withdraw and tracker correct: appending a correction that names the entry it changes."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.errors import DataError, UsageError

from . import _context, _options, _out

app = typer.Typer()

Number = _options.Item
Dept = Annotated[
    str | None, typer.Option("--dept", help="The department whose return it is (its file).", autocompletion=_options.DEPTS)
]
Board = Annotated[bool, typer.Option("--board", help="A board assessment, not a department's return.")]
Of = Annotated[str, typer.Option("--date", help="The date of the return or assessment to change, YYYY-MM-DD.")]
Line = Annotated[int | None, typer.Option("--line", help="Its line in the file, when several share that date.")]
Why = Annotated[str, typer.Option("--why", help="Why it is withdrawn or corrected (kept with it).")]


@app.command()
def withdraw(
    ctx: typer.Context,
    number: Number,
    dept: Dept = None,
    board: Board = False,
    of: Of = "",
    line: Line = None,
    why: Why = "",
    author: _options.Author = None,
) -> None:
    """Withdraw a return or assessment recorded by mistake: it stays in its file, and no longer counts."""
    _correct(ctx, "withdraw", number, dept, board, of, line, why, author, {}, None)


@app.command()
def correct(
    ctx: typer.Context,
    number: Number,
    dept: Dept = None,
    board: Board = False,
    of: Of = "",
    line: Line = None,
    why: Why = "",
    rag: Annotated[str | None, typer.Option("--rag", help="The right rating.", autocompletion=_options.RATINGS)] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="The right summary.")] = None,
    evidence: _options.Evidence = None,
    target_date: Annotated[str | None, typer.Option("--target-date", help="The right revised target date.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="The right reason for the revised target date.")] = None,
    evidence_date: Annotated[
        str | None,
        typer.Option("--evidence-date", help="An assessment's: when its evidence is from (YYYY-MM-DD, YYYY-MM or YYYY)."),
    ] = None,
    author: _options.Author = None,
) -> None:
    """Correct a return or assessment: the new values count from now on, on its own date; the old stay in the file."""
    changes = {"rag": rag, "summary": summary, "target_date": target_date, "reason": reason, "evidence_date": evidence_date}
    _correct(ctx, "correct", number, dept, board, of, line, why, author, changes, evidence)


def _correct(
    ctx: typer.Context,
    kind: str,
    item: str,
    dept: str | None,
    board: bool,
    of: str,
    line: int | None,
    why: str,
    author: str | None,
    changes: dict[str, str | None],
    evidence: list[str] | None,
) -> None:
    from tracker import db
    from tracker.domain.corrections import Correction, apply
    from tracker.domain.problem import Problem
    from tracker.domain.returns import ASSESSMENTS, check_text, parse_rating, status_file, text_date

    from .returns import author_of

    if board == (dept is not None):
        raise UsageError("name whose entry it is: --dept D for a department's return, or --board for an assessment")
    if not of:
        raise UsageError("--date is required: the date of the return or assessment to change")
    if not why.strip():
        raise UsageError("--why is required: say why, for the record")
    conn, today = _context.database(ctx), _context.today()
    data = _context.dataset(ctx)
    number = data.lookup(item).number
    with _options.option("--date"):
        of_date = text_date(of)
    file = ASSESSMENTS
    if dept is not None:
        with _options.option("--dept"):
            file = status_file(data.department(dept).code)
    values: dict[str, object] = {}
    with _options.option("--rag"):
        if changes.get("rag") is not None:
            values["rag"] = parse_rating(str(changes["rag"]))
    with _options.option("--target-date"):
        if changes.get("target_date") is not None:
            values["target_date"] = text_date(str(changes["target_date"]))
    if (when := changes.get("evidence_date")) is not None:
        from tracker.domain.values import parse_period

        try:
            parse_period(when)
        except ValueError as e:
            raise DataError(f"--evidence-date: {e}") from None
        values["evidence_date"] = when.strip()
    for field in ("summary", "reason"):
        if (text := changes.get(field)) is not None:
            with _options.option(f"--{field}"):
                values[field] = check_text(text)
    if evidence is not None:
        from tracker.domain.values import is_url

        with _options.option("--evidence"):
            links = tuple(check_text(url) for url in evidence)
        if bad := [url for url in links if not is_url(url)]:
            raise DataError(f"--evidence: {bad[0]!r} is not an http(s) URL")
        values["evidence"] = links
    who = author or author_of(_context.root(ctx))
    with _options.option("--why"):
        check_text(why)
    with _options.option("--author"):
        check_text(who)
    c = Correction(kind, number, of_date, line, why.strip(), who.strip(), today, file=file, **values)  # type: ignore[arg-type]
    outcome = apply(c, lambda n, day: db.in_force(conn, file, n, day), data, today)
    if isinstance(outcome, Problem):
        raise DataError(outcome.message, file)
    added = _context.record(ctx, [c], today)
    _context.warn_if_lagging(added.database_lags)
    from tracker.output.plain import corrected

    _out.write_after_recording(
        corrected(c, added.returns[0].line if added.returns else None, outcome.target, outcome.replacement, data)
    )
