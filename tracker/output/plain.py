"""Plain text: the listing and the report laid out without rich (text.py makes user text safe to print).

A listing or a report is read at a terminal dozens of times a board cycle and piped into grep as
often, so it is laid out here in plain text rather than through rich, whose import and table
layout cost more than the rest of the command; at a terminal, terminal.py only colours the words.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from tracker.domain.rating import Rating
from tracker.domain.recommendations import Dataset, Owner, Recommendation, Words
from tracker.domain.returns import Entry
from tracker.domain.standing import RollUp, Standing, summary

from .text import clean, count

if TYPE_CHECKING:
    from tracker.domain.board import Action, ActionState, ActionUpdate
    from tracker.domain.corrections import Correction


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    flex: int,
    caps: dict[int, int] | None = None,
    right: Sequence[int] = (),
) -> str:
    """Lay out `rows` under `headers` in at most `width` columns.

    A column is as wide as its widest cell, or its cap in `caps`; column `flex` takes what is
    left (at least 12 characters, so a very narrow terminal overflows rather than losing words).
    Cells wider than their column wrap onto further lines at spaces.
    """
    caps = caps or {}
    width = max(width, 20)  # a terminal narrower than that overflows rather than losing words
    cells = [[clean(c).replace("\n", " ") for c in row] for row in rows]
    widths = [min(max([len(h), *(len(r[i]) for r in cells)]), caps.get(i, width)) for i, h in enumerate(headers)]
    gap = 2
    fixed = sum(w for i, w in enumerate(widths) if i != flex) + gap * (len(headers) - 1)
    widths[flex] = max(12, min(widths[flex], width - fixed))

    def line(parts: Sequence[str]) -> str:
        padded = [p.rjust(widths[i]) if i in right else p.ljust(widths[i]) for i, p in enumerate(parts)]
        return (" " * gap).join(padded).rstrip()

    def wrap(text: str, width: int) -> list[str]:
        if len(text) <= width:
            return [text.rstrip()]
        # A cell that starts indented (an owner under its recommendation) stays indented when it wraps.
        indent = " " * (len(text) - len(text.lstrip(" ")))
        return textwrap.wrap(text, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)

    out = [line(headers), line(["-" * w for w in widths])]
    for row in cells:
        wrapped = [wrap(c, widths[i]) or [""] for i, c in enumerate(row)]
        for n in range(max(len(w) for w in wrapped)):
            out.append(line([w[n] if n < len(w) else "" for w in wrapped]))
    return "\n".join(out) + "\n"


def recommendations_listing(data: Dataset, recs: Iterable[Recommendation], today: date, width: int) -> str:
    """The `tracker list` table: a line or a few per recommendation, titles wrapped to `width`."""

    def codes(owners: Iterable[Owner]) -> str:
        return ", ".join(_code_today(data, o.dept, today) for o in owners)

    rows = [
        [
            rec.shown,
            rec.section,
            rec.title,
            codes(rec.leads),
            codes(rec.supports),
            str(rec.deadline.date if rec.deadline else "none"),
        ]
        for rec in recs
    ]
    if not rows:
        return "No recommendations match.\n"
    headers = ["#", "Sec", "Title", "Lead", "Support", "Deadline"]
    return table(headers, rows, width, flex=2, caps={3: 16, 4: 16}, right=[0])


def _code_today(data: Dataset, code: str, today: date) -> str:
    current = data.registry.current(code, today).code
    return code if current == code else f"{current} (was {code})"


def recorded(data: Dataset, ret: Entry) -> str:
    """What `tracker update` wrote, for the person who asked it to: plain text, RAG as a word."""
    rec = data.recommendation(ret.recommendation)
    lines = [
        f"Recorded {ret.file}:{ret.line}",
        f"{_upper(data.named(rec.number))}: {clean(rec.title)}",
        f"{ret.dept or 'Board assessment'}  {ret.date}  {ret.rag.word}  by {clean(ret.author)}"
        + (f"  (evidence of {ret.evidence_date})" if ret.evidence_date else ""),
        *textwrap.wrap(clean(ret.summary), 76, initial_indent="  ", subsequent_indent="  "),
        *(f"  {clean(url)}" for url in ret.evidence),
    ]
    if ret.target_date:
        baseline = rec.deadline.date.isoformat() if rec.deadline else "none"
        lines.append(f"Target date revised to {ret.target_date} (baseline {baseline}): {clean(ret.reason or '')}")
    return "\n".join(lines) + "\n"


def report_text(
    as_of: date, standings: Sequence[Standing], window: int, width: int, rated_by: str = "the leads'", words: Words | None = None
) -> str:
    """The RAG report: a row per recommendation, then a row per owner, each flag on its own row.

    Columns: the departments' rating (the worst the leads' returns give), the board's assessment, the
    headline the counts count, the target date, and the flags (OVERDUE on the recommendation's
    row, WORSE on the owner's).
    """
    heading = f"RAG report as at {as_of}  (no return: nothing in the last {window} days)\n\n"
    item, items, owners = (
        (words.item, words.items, words.owners) if words else ("recommendation", "recommendations", "departments")
    )
    short = "Depts" if owners == "departments" else "Owners"
    if not standings:
        return heading + f"No {items} match.\n"
    rows = []
    for s in standings:
        target = str(s.target_date) if s.target_date else "none"
        if s.revision is not None:
            target += f" (was {s.deadline})" if s.deadline else " (revised)"
        board = s.assessment.rag.word if s.assessment is not None else "-"
        flag = "OVERDUE" if s.overdue else ""
        # Awaiting said where some leads have reported (with none, every lead is awaited), as the paper says it.
        depts = s.departments_text if s.departments_rag is not Rating.NO_RETURN else s.departments_rag.word
        rows.append([s.rec.shown, s.rec.title, depts, board, s.rag.word, target, flag])
        for o in s.owners:
            if o.latest is None:
                last = " (none yet)"
            elif o.stale:
                last = f" (last {o.latest.rag.word}, {o.latest.date})"
            else:
                last = f" ({o.latest.date}" + (f", {o.trend})" if o.trend else ")")
            rows.append(["", f"  {o.shown} {o.role}{last}", o.rag.word, "", "", "", "WORSE" if o.worse else ""])
    headers = ["#", item.capitalize(), short, "Board", "Headline", "Target", "Flags"]
    laid = table(headers, rows, width, flex=1, caps={2: 15, 5: 10}, right=[0])
    counts = ", ".join(f"{n} {rating.word.lower()}" for rating, n in summary(standings).items())
    return (
        heading
        + laid
        + f"\n{count(len(standings), item, items)}: {counts}\n"
        + f"Headlines: {sum(s.by_board for s in standings)} the board's assessments,"
        + f" {sum(not s.by_board for s in standings)} the {owners}' ratings.\n"
        + textwrap.fill(
            f"{short}: the worst rating {rated_by} returns give (a silent one is awaited, not counted). Board: the"
            f" board's latest assessment. Headline: the board's where it is as new as {rated_by} returns, else"
            f" the {owners}'.",
            min(width, 100),
        )
        + "\n"
    )


def corrected(c: Correction, line: int | None, target: Entry, replacement: Entry | None, data: Dataset | None = None) -> str:
    """What `tracker withdraw` or `correct` wrote, for the person who asked it to."""
    whose = target.dept or "the board"
    named = data.named(target.recommendation) if data is not None else f"recommendation {target.recommendation}"
    entry = f"{whose}'s {target.date} {target.rag.word} on {named} ({target.file}:{target.line})"
    if replacement is None:
        head = f"Withdrew {entry}"
    else:
        changed = [
            f"{field}: {shown_value(getattr(target, field))} -> {shown_value(getattr(replacement, field))}"
            for field in ("rag", "summary", "evidence", "target_date", "reason")
            if getattr(target, field) != getattr(replacement, field)
        ]
        head = f"Corrected {entry}\n" + "\n".join(f"  {clean(change)}" for change in changed)
    return f"{head}\nRecorded {c.file}:{line}, by {clean(c.author)}: {clean(c.why)}\n"


def shown_value(value: object) -> str:
    """A field's value as a person reads it: links joined, a rating as its word, none as (none)."""
    if isinstance(value, tuple):
        return " ".join(value) or "(none)"
    return getattr(value, "word", None) or ("(none)" if value is None else str(value))


def _action_status(s: ActionState, day: date) -> str:
    return s.status.upper() + (" OVERDUE" if s.overdue(day) else "")


def actions_text(states: Sequence[ActionState], day: date, width: int) -> str:
    """The actions log as it stands on `day`: a row per action, then how many are open and overdue."""
    if not states:
        return f"No actions on {day} (tracker action add records one).\n"
    rows = [
        [
            s.action.ref,
            str(s.action.raised),
            clean(s.owner),
            str(s.due or "-"),
            _action_status(s, day),
            clean(s.action.text) + (f" [{clean(s.note)}]" if s.note else ""),
        ]
        for s in states
    ]
    still_open = sum(not s.closed for s in states)
    late = sum(s.overdue(day) for s in states)
    return (
        table(["Ref", "Raised", "Owner", "Due", "Status", "Action [latest note]"], rows, width, 5, {2: 24})
        + f"\n{len(states)} action{'s' if len(states) != 1 else ''} on {day}: {still_open} open, {late} overdue.\n"
    )


def _one_line(text: str) -> str:
    return " ".join(clean(text).split())


def action_recorded(entry: Action | ActionUpdate, where: str, states: Sequence[ActionState]) -> str:
    """What `tracker action` wrote, and the action as it now stands."""
    state = next((s for s in states if s.action.ref == entry.ref), None)
    lines = [f"Recorded {where}"]
    if state is not None:
        a = state.action
        lines.append(f"{a.ref} (raised {a.raised}): {_one_line(a.text)}")
        lines.append(f"  owner {_one_line(state.owner)}; due {state.due or 'not set'}; {state.status}")
        if state.note:
            lines.append(f"  note: {_one_line(state.note)}")
    return "\n".join(lines) + "\n"


def _upper(text: str) -> str:
    """`action CP-3` as a line starts: `Action CP-3`."""
    return text[:1].upper() + text[1:]


def roll_up_text(as_of: date, rows: Sequence[RollUp], width: int) -> str:
    """`tracker report --roll-up`: each delivered recommendation, rated from the items under it."""
    if not rows:
        return f"Roll-up as at {as_of}: no item names a recommendation it delivers (`delivers:` in sources/KEY.yaml)\n"
    lines = []
    for r in rows:
        awaiting = (
            f", awaiting {', '.join(s.rec.shown for s in r.awaiting)}" if r.awaiting and r.rag is not Rating.NO_RETURN else ""
        )
        lines.append([r.rec.shown, r.rec.title, r.rag.word + awaiting, ""])
        lines += [["", "  " + s.rec.title, "", f"{s.rec.shown} {s.rag.word}"] for s in r.items]
    return f"Roll-up as at {as_of}: each rated from what delivers it (the worst rated; a silent one is awaited)\n\n" + table(
        ["#", "Recommendation / delivered by", "Rolled up", "Item"], lines, width, flex=1
    )
