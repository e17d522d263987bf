"""The only module that imports rich. Builds renderables and plain text; never prints."""

from __future__ import annotations

from datetime import date

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from tracker.domain.departments import Department, Registry, succession
from tracker.domain.rating import Rating
from tracker.domain.recommendations import Dataset, Recommendation
from tracker.domain.returns import Return, history_by_owner
from tracker.domain.standing import Standing, summary

from .text import clean


def _text(value: object, style: str = "") -> Text:
    # Text, never markup: "[red]" in a summary is shown as the words it is.
    return Text(clean(value), style=style)


def recommendation_detail(
    data: Dataset, rec: Recommendation, returns: list[Return], today: date, now: Standing, assessments: list[Return]
) -> RenderableType:
    registry = data.registry
    parts: list[RenderableType] = []
    heading = Text.assemble((f"Recommendation {rec.number}: ", "bold"), (clean(rec.title), "bold"))
    parts.append(heading)
    parts.append(_text(f"Section {rec.section} {rec.section_title}", "dim"))
    parts.append(Text(""))
    parts.append(standing_summary(now, today))
    parts.append(Text(""))
    parts.append(Padding(_text(rec.text), (0, 0, 1, 2)))
    if rec.addressed_to:
        parts.append(_text(f"The review addresses {rec.addressed_to}."))

    owners = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="Owners", title_justify="left", title_style="bold")
    owners.add_column("Dept", no_wrap=True)
    owners.add_column("Role", no_wrap=True)
    owners.add_column("Body today, and what became of the one named", ratio=1)
    for owner in rec.owners:
        s = succession(registry, owner.dept, data.review.published, today)
        story = Text(clean(s.current.name))
        if s.named_as != s.current.code:
            story.append(clean(f"\nnamed in the review: {s.named_as}, {s.name_then}"), "dim")
        elif s.name_then != s.current.name:
            story.append(clean(f"\nnamed in the review: {s.name_then}"), "dim")
        for change in s.changes:
            story.append(clean(f"\n{change}"), "dim")
        if owner.basis == "board":
            story.append("\nassigned by the board", "italic")
        if owner.note:
            story.append(clean(f"\n{owner.note}"), "dim")
        owners.add_row(_text(s.current.code), _text(owner.role), story)
    parts.append(owners)

    if rec.deadline:
        deadline = Text.assemble(("Deadline: ", "bold"), clean(f"{rec.deadline.date} (\u201c{rec.deadline.words}\u201d)"))
        if rec.deadline.reasoning:
            deadline.append(clean(f"\n{rec.deadline.reasoning}"), "dim")
        parts.append(deadline)
    else:
        parts.append(Text.assemble(("Deadline: ", "bold"), "none set by the review"))
    if rec.links:
        parts.append(Text.assemble(("Linked: ", "bold"), ", ".join(str(n) for n in rec.links)))

    parts.append(Text(""))
    parts.append(Text("Board assessments, newest first", style="bold"))
    if not assessments:
        parts.append(Text("none yet", "dim"))
    for a in reversed(assessments):
        parts.append(Text.assemble("  ", clean(str(a.date)), "  ", rating_text(a.rag)))
        parts.append(Padding(_text(a.summary), (0, 0, 0, 4)))
        parts.append(Padding(_text(f"by {a.author}", "dim"), (0, 0, 0, 4)))
        parts.extend(Padding(_text(url, "dim"), (0, 0, 0, 4)) for url in a.evidence)
    parts.append(Text(""))
    parts.append(Text("Returns, newest first", style="bold"))
    parts.extend(_returns(data, rec, returns, today))
    parts.append(Text(""))
    parts.append(Text("Government response", style="bold"))
    for response in rec.responses:
        source = "official category" if response.category_source == "official" else "board's assessment"
        parts.append(
            Text.assemble(
                (clean(f"{response.date}  {response.document}"), ""), "\n  ", (clean(response.category), "bold"), f" ({source})"
            )
        )
        parts.append(Padding(Group(_text(response.summary), _text(response.source, "dim")), (0, 0, 1, 2)))
    return Group(*parts)


def standing_summary(s: Standing, today: date) -> Text:
    """Where a recommendation stands today: headline, the departments' and the board's ratings, target."""
    out = Text.assemble(("Headline: ", "bold"), rating_text(s.rag))
    out.append(" (the board's assessment)" if s.by_board else " (the departments' rating)", "dim")
    if s.overdue:
        out.append("  OVERDUE", "bold")
    out.append("\nDepartments: ")
    out.append_text(rating_text(s.departments_rag))
    out.append("  (the owners' own returns)", "dim")
    for o in s.owners:
        out.append(clean(f"\n  {o.shown} ({o.role}): {o.rating_text}"))
    out.append("\nBoard: ")
    if s.assessment is not None:
        out.append_text(rating_text(s.assessment.rag))
        out.append(clean(f" {s.assessment.date}"))
        if not s.by_board:
            out.append("  older than the leads' latest return", "dim")
    else:
        out.append("not assessed yet", "dim")
    baseline = f"baseline {s.deadline}" if s.deadline else "no baseline"
    current = str(s.target_date) if s.target_date else "none"
    out.append(clean(f"\nTarget date: {current} ({baseline}{', revised' if s.revision else ''}), as at {today}"))
    return out


def departments_table(data: Dataset, today: date) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Code", no_wrap=True)
    table.add_column("Name and history", ratio=1, min_width=36)
    table.add_column("Lead today", max_width=16)
    table.add_column("Support today", max_width=16)
    for dept in data.registry.departments.values():
        table.add_row(_text(dept.code), _department_story(data.registry, dept, today), *_owned(data, dept, today))
    return table


def _department_story(registry: Registry, dept: Department, today: date) -> Text:
    story = Text(clean(dept.name))
    if dept.part_of:
        story.append(clean(f", part of {dept.part_of}"))
    if dept.aliases:
        story.append(clean(f"\nalso: {'; '.join(dept.aliases)}"), "dim")
    for e in dept.history:
        if e.event == "renamed":
            detail = f"{e.from_name} \u2192 {e.to_name}"
        elif e.into:
            detail = f"into {e.into}"
        else:
            detail = f": {e.note}" if e.note and e.event in ("absorbed", "announced") else ""
        story.append(clean(f"\n{e.date} {e.event} {detail}".rstrip().replace(" :", ":")), "dim")
    current = registry.current(dept.code, today)
    if current.code != dept.code:
        story.append(clean(f"\nits work is now {current.code}'s"), "bold")
    return story


def _owned(data: Dataset, dept: Department, today: date) -> tuple[Text, Text]:
    owned = data.owned_on(dept.code, today)

    def listed(items: list[tuple[int, str | None]]) -> Text:
        return Text(clean(", ".join(f"{n} (from {was})" if was else str(n) for n, was in items)))

    return listed(owned["lead"]), listed(owned["support"])


def console() -> Console:
    """The console commands print to: colour only on a terminal, 80 columns when piped."""
    return Console(highlight=False, emoji=False, markup=False)


def rating_text(rating: Rating) -> Text:
    """A rating as its word in its colour: the word carries it where colour cannot (print, colour blindness)."""
    return Text(rating.word, style=f"bold {rating.colour}")


def _returns(data: Dataset, rec: Recommendation, returns: list[Return], today: date) -> list[RenderableType]:
    baseline = f"baseline {rec.deadline.date}" if rec.deadline else "no baseline deadline"
    out: list[RenderableType] = []
    for code, entries in history_by_owner(rec, data, returns, today):
        out.append(
            Text(
                clean(f"{code}: {len(entries)} return{'s' if len(entries) != 1 else ''}" if entries else f"{code}: no returns"),
                "bold",
            )
        )
        for entry in entries:
            u = entry.ret
            line = Text.assemble("  ", clean(str(u.date)), "  ", rating_text(u.rag))
            if entry.previous is not None:
                line.append(clean(f"  (was {entry.previous.value}: {entry.trend})"), "dim")
            if u.dept != code:
                line.append(clean(f"  filed as {u.dept}"), "dim")
            out.append(line)
            out.append(Padding(_text(u.summary), (0, 0, 0, 4)))
            out.append(Padding(_text(f"by {u.author}", "dim"), (0, 0, 0, 4)))
            out.extend(Padding(_text(url, "dim"), (0, 0, 0, 4)) for url in u.evidence)
            if u.target_date:
                out.append(Padding(_text(f"target date now {u.target_date} ({baseline}): {u.reason}", "italic"), (0, 0, 0, 4)))
    return out


def report_table(as_of: date, standings: list[Standing], window: int) -> RenderableType:
    """The RAG report: a row per recommendation, then a row per owner, each flag on its own row.

    Columns: the departments' rating (the worst of the leads'), the board's assessment, the
    headline the counts count, the target date, and the flags (OVERDUE on the recommendation's
    row, WORSE on the owner's).
    """
    heading = Text.assemble(
        ("RAG report as at ", "bold"),
        (str(as_of), "bold"),
        (f"  (no return: nothing in the last {window} days)", "dim"),
    )
    if not standings:
        return Group(heading, Text("No recommendations match."))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0))
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Recommendation", ratio=1, min_width=18)
    table.add_column("Depts", no_wrap=True)
    table.add_column("Board", no_wrap=True)
    table.add_column("Headline", no_wrap=True)
    table.add_column("Target", no_wrap=True)
    table.add_column("Flags", no_wrap=True)
    for s in standings:
        target = Text(str(s.target_date) if s.target_date else "none")
        if s.revision is not None:
            target.append(clean(f"\nwas {s.deadline}" if s.deadline else "\nrevised"), "dim")
        board = rating_text(s.assessment.rag) if s.assessment is not None else Text("-", "dim")
        flag = Text("OVERDUE", "bold") if s.overdue else Text("")
        title = Text(clean(s.rec.title), style="bold")
        table.add_row(str(s.rec.number), title, rating_text(s.departments_rag), board, rating_text(s.rag), target, flag)
        for o in s.owners:
            who = Text(clean(f"  {o.shown} {o.role}"))
            if o.latest is None:
                who.append(" (none yet)", "dim")
            elif o.stale:
                who.append(clean(f" (last {o.latest.rag.word}, {o.latest.date})"), "dim")
            else:
                who.append(clean(f" ({o.latest.date}" + (f", {o.trend})" if o.trend else ")")), "dim")
            worse = Text("WORSE", "bold") if o.worse else Text("")
            table.add_row("", who, rating_text(o.rag), "", "", "", worse)
    parts = ", ".join(f"{n} {rating.word.lower()}" for rating, n in summary(standings).items())
    total = Text.assemble((f"{count(len(standings), 'recommendation')}: ", "bold"), parts)
    note = Text(
        "Depts: the worst of the leads' returns. Board: the board's latest assessment. Headline: the board's"
        " where it is as new as the leads' returns, else the departments'.",
        "dim",
    )
    return Group(heading, table, total, note)


def count(n: int, noun: str) -> str:
    """`1 recommendation`, `31 recommendations`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
