"""`tracker show` and `tracker departments` as plain text: fast to start, easy to grep; at a
terminal, terminal.py colours the rating words."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date

from tracker.domain.corrections import Trail
from tracker.domain.departments import Department, Registry, succession
from tracker.domain.recommendations import Dataset, Recommendation
from tracker.domain.returns import Entry, OwnerHistory
from tracker.domain.standing import RollUp, Standing

from .plain import shown_value, table
from .text import clean, count


def _wrapped(text: str, width: int, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(
        clean(text),
        max(20, width - indent),
        initial_indent=pad,
        subsequent_indent=pad,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [pad]


def standing_lines(s: Standing, today: date, rated_by: str = "the leads'", owners: str = "departments") -> list[str]:
    """Where a recommendation stands today: headline, the departments' (`owners'`) and the board's ratings, target."""
    lines = [
        f"Headline: {s.rag.word}"
        + (" (the board's assessment)" if s.by_board else f" (the {owners}' rating)")
        + ("  OVERDUE" if s.overdue else ""),
        f"{owners.capitalize()}: {s.departments_text}  (the worst rating of {rated_by} returns)",
        *(clean(f"  {o.shown} ({o.role}): {o.rating_text}") + ("  WORSE" if o.worse else "") for o in s.owners),
    ]
    if s.assessment is None:
        lines.append("Board: not assessed yet")
    else:
        older = "" if s.by_board else f"  (older than {rated_by} latest return)"
        a = s.assessment
        evidence = f", evidence of {a.evidence_date}" if a.evidence_date else ""
        lines.append(f"Board: {a.rag.word} assessed {a.date}{evidence}{older}")
    baseline = f"baseline {s.deadline}" if s.deadline else "no baseline"
    current = str(s.target_date) if s.target_date else "none"
    lines.append(f"Target date: {current} ({baseline}{', revised' if s.revision else ''}), as at {today}")
    return lines


def recommendation_detail(
    data: Dataset,
    rec: Recommendation,
    histories: Sequence[OwnerHistory],
    today: date,
    now: Standing,
    assessments: Sequence[Entry],
    width: int,
    trail: Sequence[Trail] = (),
    assessed: int | None = None,
    rollup: RollUp | None = None,
    serves: Sequence[str] = (),
) -> str:
    """`histories`: each owner's returns, all or the newest (owner_histories); `assessments`: the
    board's, oldest first, all or the newest of the `assessed` it has made."""
    source = data.source_of(rec)
    out = [clean(f"{_upper(data.named(rec.number))}: {rec.title}"), clean(f"Section {rec.section} {rec.section_title}")]
    if data.several:
        out.append(clean(f"From: {source.title} ({source.author}, {source.published.year})"))
    out.append("")
    if not source.follow:
        out.append(f"Kept for reference: no returns are asked for on the {source.items} of this {source.kind}.")
    else:
        out += standing_lines(now, today, data.rated_by, "departments" if rec.source == "review" else "owners")
    if rollup is not None:
        awaiting = f", awaiting {', '.join(s.rec.shown for s in rollup.awaiting)}" if rollup.awaiting else ""
        word = count(len(rollup.items), "item") if len({s.rec.source for s in rollup.items}) != 1 else None
        if word is None:
            word = data.source_of(rollup.items[0].rec).counted(len(rollup.items))
        out.append(f"Rolled up from the {word} delivering it: {rollup.rag.word}{awaiting}")
        wide = max(len(s.rec.shown) for s in rollup.items)
        out += [clean(f"  {s.rec.shown:<{wide}}  {s.rag.word:<9}  {s.rec.title}") for s in rollup.items]
    if serves:
        out.append(clean("Serves: " + "; ".join(serves)))
    delivers = [data.find(n) for n in rec.delivers]
    if delivers:
        out.append("Delivers: " + "; ".join(clean(f"{d.shown} {d.title}") for d in delivers if d is not None))
    out += ["", *_wrapped(rec.text, width, 2), ""]
    if rec.addressed_to:
        out += [clean(f"The {source.kind} addresses {rec.addressed_to}."), ""]
    rows = []
    for owner in rec.owners:
        s = succession(data.registry, owner.dept, data.review.published, today)
        story = [s.current.name]
        if s.named_as != s.current.code:
            story.append(f"named in the review: {s.named_as}, {s.name_then}")
        elif s.name_then != s.current.name:
            story.append(f"named in the review: {s.name_then}")
        story.extend(s.changes)
        if owner.reports_via:
            story.append(f"reports via {owner.reports_via}")
        if owner.basis == "board":
            story.append("assigned by the board")
        if owner.note:
            story.append(owner.note)
        rows.append([s.current.code, owner.role, "; ".join(part.rstrip(".") for part in story)])
    out += [
        "Owners",
        *(
            "  " + line
            for line in table(
                ["Dept" if rec.source == "review" else "Body", "Role", "Body today, and what became of the one named"],
                rows,
                width - 2,
                flex=2,
            ).splitlines()
        ),
    ]
    out.append("")
    if rec.deadline:
        kind = {"start": "Starts", "earliest": "Not before"}.get(rec.deadline.kind, "Deadline")
        never = "" if rec.deadline.is_deadline else "  (not a deadline: overdue only against a revised target date)"
        out.append(clean(f"{kind}: {rec.deadline.date} (\u201c{rec.deadline.words}\u201d){never}"))
        if rec.deadline.reasoning:
            out += _wrapped(rec.deadline.reasoning, width, 2)
    else:
        out.append(f"Deadline: none set by the {source.kind}")
    if rec.links:
        out.append("Linked: " + ", ".join(d.shown if (d := data.find(n)) is not None else str(n) for n in rec.links))
    # An item kept for reference has no assessments or returns to list (none is recorded on it).
    if source.follow or assessments:
        out += ["", "Board assessments, newest first"]
        if not assessments:
            out.append("  none yet")
        for a in reversed(assessments):
            out.append(f"  {a.date}  {a.rag.word}" + (f"  (evidence of {a.evidence_date})" if a.evidence_date else ""))
            out += _entry(a, width)
        out += _more(rec, (len(assessments) if assessed is None else assessed) - len(assessments), "assessment")
    if source.follow or any(h.made for h in histories):
        out += ["", "Returns, newest first"]
        out += _returns(rec, histories, width)
    if trail:
        out += ["", "Corrections (the entries as recorded stay in their files)"]
        for t in trail:
            whose = t.of.dept or "board"
            done = "withdrew" if t.now is None else "corrected"
            out.append(clean(f"  {t.date}  {done} {whose}'s {t.of.date} {t.of.rag.word} ({t.file}:{t.of.line})"))
            if t.now is not None:
                changes = [
                    f"{f}: {shown_value(getattr(t.of, f))} -> {shown_value(getattr(t.now, f))}"
                    for f in ("rag", "summary", "evidence", "target_date", "reason")
                    if getattr(t.of, f) != getattr(t.now, f)
                ]
                out += [line for change in changes for line in _wrapped(change, width, 4)]
            out += _wrapped(f"why: {t.why} (by {t.author}, {t.file}:{t.line})", width, 4)
    if rec.responses or source.responses:
        out += ["", "Government response"]
    for response in rec.responses:
        category = "official category" if response.category_source == "official" else "board's assessment"
        out.append(clean(f"{response.date}  {response.document}"))
        out.append(clean(f"  {response.category} ({category})"))
        out += _wrapped(response.summary, width, 4)
        out += _wrapped(response.source, width, 4)
    return "\n".join(out) + "\n"


def _entry(ret: Entry, width: int) -> list[str]:
    lines = _wrapped(ret.summary, width, 4) + _wrapped(f"by {ret.author}", width, 4)
    for url in ret.evidence:
        lines += _wrapped(url, width, 4)
    return lines


def _more(rec: Recommendation, earlier: int, what: str) -> list[str]:
    """The line under a history of which only the newest are shown."""
    if earlier <= 0:
        return []
    return [f"  and {earlier} earlier {what}{'s' if earlier != 1 else ''}: tracker show {rec.shown} --all lists them all"]


def _returns(rec: Recommendation, histories: Sequence[OwnerHistory], width: int) -> list[str]:
    baseline = f"baseline {rec.deadline.date}" if rec.deadline else "no baseline deadline"
    out: list[str] = []
    for code, entries, made in histories:
        out.append(clean(f"{code}: {made} return{'s' if made != 1 else ''}" if made else f"{code}: no returns"))
        for entry in entries:
            u = entry.ret
            line = f"  {u.date}  {u.rag.word}"
            if entry.previous is not None:
                line += f"  (was {entry.previous.value}: {entry.trend})"
            if u.dept != code:
                line += clean(f"  filed as {u.dept}")
            out.append(line)
            out += _entry(u, width)
            if u.target_date:
                out += _wrapped(f"target date now {u.target_date} ({baseline}): {u.reason}", width, 4)
        out += _more(rec, made - len(entries), "return")
    return out


def departments_text(data: Dataset, today: date, width: int) -> str:
    rows = []
    for dept in data.registry.departments.values():
        owned = data.owned_on(dept.code, today)
        lead, support = (
            ", ".join(f"{data.ref_of(n)} (from {was})" if was else data.ref_of(n) for n, was in owned[role])
            for role in ("lead", "support")
        )
        story = _department_story(data.registry, dept, today)
        reports = [f"{o.dept} on {r.shown}" for r in data.recommendations for o in r.owners if o.reports_via == dept.code]
        if reports:
            story += f"; reports for {', '.join(reports)}"
        rows.append([dept.code, story, lead, support])
    return table(["Code", "Name and history", "Lead today", "Support today"], rows, width, flex=1, caps={2: 16, 3: 16})


def _department_story(registry: Registry, dept: Department, today: date) -> str:
    story = [dept.name + (f", part of {dept.part_of}" if dept.part_of else "")]
    if dept.aliases:
        story.append(f"also: {'; '.join(dept.aliases)}")
    for e in dept.history:
        if e.event == "renamed":
            detail = f"{e.from_name} \u2192 {e.to_name}"
        elif e.into:
            detail = f"into {e.into}"
        else:
            detail = f": {e.note}" if e.note and e.event in ("absorbed", "announced") else ""
        story.append(f"{e.date} {e.event} {detail}".rstrip().replace(" :", ":"))
    current = registry.current(dept.code, today)
    if current.code != dept.code:
        story.append(f"its work is now {current.code}'s")
    return "; ".join(part.rstrip(".") for part in story)


def _upper(text: str) -> str:
    """`action CP-3` as a line starts: `Action CP-3`."""
    return text[:1].upper() + text[1:]
