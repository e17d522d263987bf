"""What `tracker gather` prints (text or JSON) and its national paper (markdown). Pure."""

from __future__ import annotations

from typing import Any

from tracker.domain.national import Gathered, National
from tracker.domain.rating import Rating
from tracker.domain.values import long_date

from .markdown import md as cell
from .text import count

_ORDER = (Rating.RED, Rating.AMBER, Rating.GREEN, Rating.COMPLETE, Rating.NO_RETURN)


def _ratings(rec: National) -> str:
    """`RED 3, AMBER 4, COMPLETE 1`: the ratings some partnership rolls up to."""
    return ", ".join(f"{r.word} {rec.ratings[r]}" for r in _ORDER if rec.ratings.get(r))


def _late_line(g: Gathered, width: int) -> list[str]:
    lines = []
    for late in g.late:
        when = f"for the board on {late.meeting}, due {late.due}" if late.meeting else f"by {late.due}"
        if late.due < g.as_of:
            when += ": LATE"
        name = late.partnership if len(late.partnership) <= width else late.partnership[: width - 1] + "…"
        lines.append(f"  {name:<{width}}  {late.owed:>5} owed by {', '.join(late.bodies)} ({when})")
    return lines


def gathered_text(g: Gathered) -> str:
    """The summary gather prints: what it gathered, each national recommendation's roll-up, who is late."""
    skipped = f" ({len(g.skipped)} skipped)" if g.skipped else ""
    lines = [
        f"Gathered {count(len(g.gathered), 'partnership')}{skipped} into {g.database}, as of {g.as_of}:"
        f" {count(g.items, 'local item')}, {count(g.returns, 'return')}.",
        "",
        "National recommendations: partnerships with local actions under each, and their ratings rolled up",
    ]
    width = max((len(r.ref) for r in g.recommendations), default=3)
    for rec in g.recommendations:
        title = rec.title if len(rec.title) <= 48 else rec.title[:47] + "…"
        rolled = f"  {_ratings(rec)}" if rec.partnerships else ""
        lines.append(f"  {rec.ref:<{width}}  {title:<48}  {rec.partnerships:>4}{rolled}")
    lines.append("")
    if g.late:
        lines.append(
            f"Returns owed: {len(g.late)} of {count(len(g.gathered), 'partnership')} have owners owing returns for their next"
            " board, or in their reporting window where they list no meetings (LATE: the returns deadline has passed)"
        )
        lines.extend(_late_line(g, min(48, max(len(late.partnership) for late in g.late))))
    else:
        lines.append("Returns owed: none; every owner has made its return")
    if g.measures:
        lines += ["", "Outcome measures with values"]
        lines.extend(
            f"  {m.code}: {m.name} ({count(m.partnerships, 'partnership')}; latest {m.latest}; each area's own figures)"
            for m in g.measures
        )
    if g.skipped:
        lines += ["", "Skipped, as invalid:"]
        lines.extend(f"  {p.folder}: {p.problem}" for p in g.skipped)
    return "\n".join(lines) + "\n"


def gathered_document(g: Gathered) -> dict[str, Any]:
    """gather's JSON: the same as its text, for a program."""
    return {
        "as_of": g.as_of.isoformat(),
        "database": g.database,
        "partnerships": [
            {"partnership": p.name, "folder": p.folder, "items": p.items, "returns": p.returns, "late": p.late}
            for p in g.gathered
        ],
        "skipped": [{"folder": p.folder, "problem": p.problem} for p in g.skipped],
        "items": g.items,
        "returns": g.returns,
        "recommendations": [
            {
                "number": r.number,
                "ref": r.ref,
                "title": r.title,
                "partnerships": r.partnerships,
                "ratings": {rating.value: r.ratings.get(rating, 0) for rating in _ORDER},
            }
            for r in g.recommendations
        ],
        "late": [
            {
                "partnership": late.partnership,
                "owed": late.owed,
                "owed_by": list(late.bodies),
                "meeting": late.meeting.isoformat() if late.meeting else None,
                "due": late.due.isoformat(),
            }
            for late in g.late
        ],
        "measures": [{"code": m.code, "name": m.name, "partnerships": m.partnerships, "latest": m.latest} for m in g.measures],
    }


def national_paper(g: Gathered) -> str:
    """A short national paper in markdown: the partnerships gathered, each national recommendation's
    roll-up across them, and who is late."""
    n = len(g.gathered)
    reached = [r for r in g.recommendations if r.partnerships]
    worst = sorted(reached, key=lambda r: (-r.ratings.get(Rating.RED, 0), r.number))[:5]
    lines = [
        f"# National roll-up of {n} Combating Drugs Partnerships",
        "",
        f"As at {long_date(g.as_of)}. Gathered from {count(n, 'partnership workspace')}: {count(g.items, 'local action')}"
        f" and {count(g.returns, 'return')}.",
        "",
        "## Summary",
        "",
        f"{len(reached)} of the review's {len(g.recommendations)} recommendations have local actions under them in at"
        " least one partnership. A recommendation's rating in a partnership is the worst headline rating of the"
        " actions delivering it there that have one (an action with no return does not blank the rest): complete"
        " only when every one of them is complete.",
    ]
    if worst and worst[0].ratings.get(Rating.RED):
        named = "; ".join(
            f"{r.ref} ({r.ratings.get(Rating.RED, 0)} of {r.partnerships})" for r in worst if r.ratings.get(Rating.RED)
        )
        lines += ["", f"Rated red in the most partnerships: {named}."]
    lines += [
        "",
        f"{len(g.late)} of the {n} partnerships have owners owing returns."
        if g.late
        else "Every owner in every partnership has made its return.",
    ]
    if g.skipped:
        lines += ["", f"{count(len(g.skipped), 'workspace')} could not be gathered, their data being invalid: listed at the end."]
    lines += [
        "",
        "## National recommendations",
        "",
        "| Recommendation | Title | Partnerships | " + " | ".join(r.label for r in _ORDER) + " |",
        "|---|---|---:|" + "---:|" * len(_ORDER),
    ]
    for rec in reached:  # those with no local action under them are named after the table
        counts = " | ".join(str(rec.ratings.get(r, 0)) for r in _ORDER)
        lines.append(f"| {cell(rec.ref)} | {cell(rec.title)} | {rec.partnerships} | {counts} |")
    unreached = [r.ref for r in g.recommendations if not r.partnerships]
    if unreached:
        lines += ["", f"No partnership has a local action under {', '.join(unreached)}."]
    lines += ["", "## Returns owed", ""]
    if g.late:
        lines += [
            "Returns owed for each partnership's next board (where its board lists no meetings, those with none in"
            f" its reporting window to {long_date(g.as_of)}), as its `tracker chase` counts them; **late** where the"
            " board's returns deadline had passed.",
            "",
            "| Partnership | Owed | Owed by | Due |",
            "|---|---:|---|---|",
        ]
        for late in g.late:
            when = f"{late.due} (board {late.meeting})" if late.meeting else str(late.due)
            when += " **late**" if late.due < g.as_of else ""
            lines.append(f"| {cell(late.partnership)} | {late.owed} | {cell(', '.join(late.bodies))} | {when} |")
    else:
        lines.append("None.")
    lines += ["", "## Partnerships", "", "| Partnership | Local actions | Returns | Owed |", "|---|---:|---:|---:|"]
    lines.extend(f"| {cell(p.name)} | {p.items} | {p.returns} | {p.late} |" for p in g.gathered)
    if g.measures:
        lines += [
            "",
            "## Outcome measures",
            "",
            "Each partnership records its own area's figures: they are counts and rates for different populations,"
            " so compare them in Datasette's `outcome_values` with care.",
            "",
            "| Measure | Partnerships with values | Latest period |",
            "|---|---:|---|",
        ]
        lines.extend(f"| {cell(m.name)} | {m.partnerships} | {cell(m.latest)} |" for m in g.measures)
    if g.skipped:
        lines += ["", "## Not gathered", "", "| Workspace | Why |", "|---|---|"]
        lines.extend(f"| {cell(p.folder)} | {cell(p.problem or '')} |" for p in g.skipped)
    return "\n".join(lines) + "\n"
