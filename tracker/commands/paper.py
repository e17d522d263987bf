"""tracker paper: the board paper."""

# No `from __future__ import annotations`: typer reads the options' annotations as they are, where
# strings would have it compile and evaluate each one at every start.
import os
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import _context, _options, _out
from ._out import Out

if TYPE_CHECKING:
    from tracker.db import Connection
    from tracker.domain.board import ActionState, MeetingNotes
    from tracker.domain.recommendations import Dataset
    from tracker.output.document import Block, Paper

app = typer.Typer()

_FROM_BOARD = "(default: the board: block in recommendations.yaml)"
# The longest security classification a page's header and footer carry: a marking, not a paragraph.
MARKING = 100
# A paper as of a day is for the board's next meeting when that is at most this many days later.
NEXT_MEETING_DAYS = 365
_FORMATS = {".md": "md", ".markdown": "md", ".txt": "md", ".docx": "docx", ".html": "html", ".htm": "html"}


@app.command()
def paper(
    ctx: typer.Context,
    as_of: _options.AsOf = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="The last board's date (default: the meeting before, else one reporting window earlier)."),
    ] = None,
    meeting: Annotated[
        str | None, typer.Option("--meeting", help="The meeting's date (default: the board's next meeting, else --as-of).")
    ] = None,
    board: Annotated[str | None, typer.Option("--board", help=f"The board's name {_FROM_BOARD}.")] = None,
    reference: Annotated[str | None, typer.Option("--reference", help=f"The paper's reference {_FROM_BOARD}.")] = None,
    author: Annotated[str | None, typer.Option("--author", help=f"The paper's author {_FROM_BOARD}.")] = None,
    classification: Annotated[
        str | None, typer.Option("--classification", help=f"Its security classification, e.g. OFFICIAL {_FROM_BOARD}.")
    ] = None,
    section: _options.Section = None,
    format: Annotated[
        str | None,
        _options.format_option("md", "docx", "html", help="md, docx (Word) or html (default: from --out's extension, else md)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the paper to this file (atomically) instead of stdout.")
    ] = None,
) -> None:
    """Write the board paper (markdown, Word or HTML): summary, exceptions, chasing, decisions, appendices."""
    from tracker import db
    from tracker.errors import DataError, UsageError
    from tracker.output.paper import CHARTED, Details, board_paper, dashboard

    to = Out.of(out)
    kind = to.format(format, _FORMATS, "md", ".md, .docx or .html")
    if kind == "docx" and to.terminal:
        raise UsageError("a Word document is not for the terminal; give --out FILE.docx, or send it to a file or a pipe")

    conn = _context.database(ctx)
    data = _context.followed(ctx)
    day = _options.as_of_date(as_of, data)
    if section is not None:  # a paper on one section: its recommendations, and what arrived on them
        from dataclasses import replace

        from tracker.domain.recommendations import section_matches

        part = tuple(r for r in data.recommendations if section_matches(r, section.strip()))
        if not part:
            sections = sorted({r.section.split(".")[0] for r in data.recommendations}, key=lambda s: (len(s), s))
            raise DataError(
                f"--section: no {data.words.item} is in section {section.strip()!r}; the sections are {', '.join(sections)}"
            )
        data = replace(data, recommendations=part)
    held = _options.option_date(meeting, "--meeting", day) if meeting is not None else data.board.next_meeting(day)
    if meeting is None and held is not None and (held - day).days > NEXT_MEETING_DAYS:
        held = None  # a paper on a day long before the board's next meeting is not for that meeting
    previous = data.board.previous_meeting(min(day, held or day))
    before = _options.option_date(since, "--since", previous or day - timedelta(days=data.reporting_window_days))
    if before >= day:
        raise DataError(f"--since: {before} is not before the paper's date {day}")
    if since is not None and before < data.review.published:  # as --as-of: nothing to compare with before it
        raise DataError(f"--since: {before} is before the review was published ({data.review.published})")
    from tracker.domain.values import not_utf8

    for name, value in (
        ("--board", board),
        ("--reference", reference),
        ("--author", author),
        ("--classification", classification),
    ):
        if value is not None and (bad := not_utf8(value)) is not None:
            raise DataError(f"{name}: holds bytes that are not UTF-8 text ({bad}); give it in UTF-8")
    if classification is not None and len(classification.strip()) > MARKING:
        raise DataError(
            f"--classification: {len(classification.strip())} characters; a marking such as OFFICIAL-SENSITIVE fits in {MARKING}"
        )
    details = Details.of(
        data.board,
        held,
        since is None and previous is not None,
        board=board,
        reference=reference,
        author=author,
        classification=classification,
    )
    notes: MeetingNotes | None = None
    actions: list[ActionState] = []
    words = False  # whether the secretariat has written words for any meeting
    root = _context.root(ctx)
    from tracker.workspace import ACTIONS, MEETINGS

    if any(os.path.lexists(root / name) for name in (ACTIONS, MEETINGS)):  # else nothing to read (or import)
        from tracker.domain.board import action_states, notes_for
        from tracker.loading import load_board_record

        # The paper says what the record says, or nothing; its actions may name items of any source.
        record = load_board_record(root, _context.dataset(ctx), _context.today()).refused()
        notes, actions, words = (
            notes_for(record.notes, held),
            action_states(record.actions, record.updates, day),
            bool(record.notes),
        )
    every: list[date] = []
    if kind != "md":  # the Word and HTML papers open with the dashboard: the trend at each past board
        from tracker.domain.standing import points

        every = points(data, day)
    charted = every[-CHARTED:]
    on = dict(_context.standings_over(conn, data, [day, before, *charted]))  # every date in one look at the database

    now = on[day]
    shown = dashboard(data, [(when, on[when]) for when in charted], now, len(every) - len(charted)) if every else None
    numbers = {r.number for r in data.recommendations}
    full = _context.dataset(ctx)
    rollups = []
    if full.delivered_by:  # the recommendations of other sources the items deliver, rated from them
        from tracker.domain.standing import roll_up

        rollups = roll_up(full, now)
    made = board_paper(
        data,
        day,
        now,
        before,
        on[before],
        details,
        [e for e in db.arrived(conn, before, day) if e.recommendation in numbers],
        [t for t in db.trail(conn, since=before, until=day) if t.of.recommendation in numbers],
        shown,
        section.strip() if section is not None else None,
        details.returns_by,  # who owes returns is counted to the meeting's deadline, as `tracker chase` counts it
        notes,
        actions,
        rollups,
        _outcomes(conn, day, _area(data)) if section is None else None,
        _outcome_names(conn, data),
    )
    to.write(ctx, render(kind, made, day))
    if meeting is not None and data.board.meetings and held not in data.board.meetings:
        _out.echo(
            f"tracker: note: --meeting {held} is not one of the board's meetings (the board: block of recommendations.yaml);"
            " the paper has no returns deadline and none of the secretariat's words for a meeting",
            err=True,
        )
    elif held is not None and words and notes is None:
        _out.echo(
            f"tracker: note: meetings.yaml has no words for the meeting on {held}: no cover note, no risks,"
            " and the decisions asked are drafted from the exceptions",
            err=True,
        )
    if details.classification is None:
        _out.echo(
            "tracker: note: the paper has no security classification; give one with --classification OFFICIAL,"
            " or as `classification:` in the board: block of recommendations.yaml",
            err=True,
        )


def render(kind: str, made: "Paper", day: date) -> str | bytes:
    """The paper in the format `kind` names: Word as bytes, markdown and HTML as text."""
    if kind == "docx":
        from tracker.output.word import render as word

        return word(made, day)
    if kind == "html":
        from tracker.output.html import render as page

        return page(made)
    from tracker.output.markdown import render as markdown

    return markdown(made)


def _outcome_names(conn: "Connection", data: "Dataset") -> dict[str, str]:
    """The names of the outcomes the items serve, by code (none asked for where no item names one)."""
    if not any(r.outcomes for r in data.recommendations):
        return {}
    from tracker import db

    framework = db.framework(conn)
    return {o.code: o.name for o in framework.outcomes} if framework is not None else {}


def _area(data: "Dataset") -> str | None:
    """The partnership whose figures the outcomes are, in a partnership's workspace (the review kept for
    reference under a plan): its plan's author, else its board; None on a board following the review."""
    if data.review_follow or not data.sources:
        return None
    plan = next((s for s in data.sources if s.kind == "plan"), data.sources[0])
    return plan.author or data.board.name


def _outcomes(conn: "Connection", day: date, area: str | None = None) -> "tuple[str, list[Block]] | None":
    """The paper's outcomes section, where the workspace has an outcomes framework."""
    from tracker import db

    framework = db.framework(conn)
    if framework is None:
        return None
    from tracker.domain.outcomes import standings
    from tracker.output.paper import outcomes_section

    return outcomes_section(framework, standings(framework, db.measure_values(conn), day), day, area)
