"""tracker list and tracker show: the recommendations, and one in full."""

from __future__ import annotations

from typing import Annotated

import typer

from . import _context, _options, _out

app = typer.Typer()


@app.command("list")
def list_(
    ctx: typer.Context,
    dept: _options.Dept = None,
    section: _options.Section = None,
    format: Annotated[str, _options.format_option("text", "json", "csv")] = "text",
) -> None:
    """List the recommendations with their owners and deadlines."""
    from tracker.domain.recommendations import owned_by, section_matches

    data, today = _context.dataset(ctx), _context.today()
    recs = list(data.recommendations)
    if dept is not None:
        wanted = data.department(dept)
        recs = [r for r in recs if owned_by(r, data.registry, wanted, today)]
    if section is not None:
        recs = [r for r in recs if section_matches(r, section.strip())]
    if format == "json":
        from tracker.output.jsonout import recommendation_dict, to_json

        _out.write(to_json({"recommendations": [recommendation_dict(data, r, today) for r in recs]}))
    elif format == "csv":
        from tracker.output.csvout import recommendations_csv

        _out.write(recommendations_csv(data, recs, today))
    else:
        from tracker.output.plain import recommendations_listing

        _out.write(recommendations_listing(data, recs, today, _out.width()))


# How many of each owner's returns, and of the board's assessments, `show` lists without --all.
NEWEST = 20


@app.command()
def show(
    ctx: typer.Context,
    item: _options.Item,
    all_: Annotated[
        bool,
        typer.Option(
            "--all", help=f"List every return and assessment, not only the newest {NEWEST} of each owner and of the board."
        ),
    ] = False,
    format: Annotated[str, _options.format_option("text", "json")] = "text",
) -> None:
    """Show one recommendation: text, owners, deadline, response, and the newest returns (--all: every one)."""
    from tracker import db
    from tracker.domain.returns import newest_first, owner_histories
    from tracker.domain.values import iso

    conn, today = _context.database(ctx), _context.today()
    data = _context.dataset(ctx)
    rec = data.lookup(item)
    number = rec.number
    made = db.entry_counts(conn, number)
    if all_:
        returns, assessments = db.returns(conn, recommendation=number), db.assessments(conn, number)
    else:  # one more of each: the rating the oldest shown replaced
        newest = db.newest_entries(conn, number, list(made), NEWEST + 1)
        returns = [r for r in newest if not r.is_assessment]
        assessments = newest_first(r for r in newest if r.is_assessment)[:NEWEST][::-1]
    histories = owner_histories(rec, data, returns, today, made, None if all_ else NEWEST)
    assessed = made.get("", 0)
    trail = db.trail(conn, number)
    every = _context.standings(conn, data, today)
    now = next(s for s in every if s.rec.number == number)
    rollup = None
    if rec.number in data.delivered_by:
        from tracker.domain.standing import roll_up

        rollup = next(r for r in roll_up(data, every) if r.rec.number == number)
    if format == "json":
        from tracker.output.jsonout import assessment_dict, recommendation_dict, standing_dict, to_json

        document = recommendation_dict(data, rec, today, histories)
        document["standing"] = standing_dict(now)
        if rollup is not None:
            document["delivered_by"] = [
                {"ref": s.rec.shown, "source": s.rec.source, "title": s.rec.title, "rag": s.rag.value} for s in rollup.items
            ]
            document["rolled_up_rag"] = rollup.rag.value
            document["rolled_up_awaiting"] = [s.rec.shown for s in rollup.awaiting]
        document["corrections"] = [
            {
                "kind": t.kind,
                "file": t.file,
                "line": t.line,
                "of": {"dept": t.of.dept or None, "date": t.of.date.isoformat(), "rag": t.of.rag.value, "line": t.of.line},
                "now": None
                if t.now is None
                else {
                    "rag": t.now.rag.value,
                    "summary": t.now.summary,
                    "evidence": list(t.now.evidence),
                    "target_date": iso(t.now.target_date),
                    "reason": t.now.reason,
                },
                "why": t.why,
                "author": t.author,
                "date": t.date.isoformat(),
            }
            for t in trail
        ]
        document["assessments"] = [
            {**(assessment_dict(a) or {}), "author": a.author, "line": a.line} for a in reversed(assessments)
        ]
        document["assessments_count"] = assessed
        _out.write(to_json(document))
    else:
        from tracker.output.detail import recommendation_detail

        shown = recommendation_detail(
            data, rec, histories, today, now, assessments, _out.width(), trail, assessed, rollup, _serves(conn, rec.outcomes)
        )
        _out.write_coloured(shown)


def _serves(conn: object, codes: tuple[str, ...]) -> list[str]:
    """The names of the outcomes `codes` name, in the framework's order (as they are, without one)."""
    if not codes:
        return []
    from tracker import db
    from tracker.domain.outcomes import outcome_names

    return outcome_names(codes, db.framework(conn))  # type: ignore[arg-type]
