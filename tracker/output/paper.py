"""The board paper: the data and two dates in, markdown out. Pure and deterministic.

It follows the shape of a UK board paper: purpose, summary with the change since the last
board, exceptions in the owners' own words, what the board is asked to do, and appendices by
section and by department. Every piece of user text is escaped so that it is shown as the words
it is: it cannot break a table, start a list, inject HTML or restyle anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from urllib.parse import quote, urlsplit

from tracker.domain.rating import Rating
from tracker.domain.recommendations import Dataset
from tracker.domain.standing import OwnerStanding, Standing, summary

from .text import clean

_INLINE = re.compile(r"([\\`*_\[\]|~#])")


def md(text: object) -> str:
    """User text as literal markdown: one line, HTML shown as text, markup characters escaped."""
    value = " ".join(clean(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _INLINE.sub(r"\\\1", value)


def link(url: str) -> str:
    """A link whose text is the site and whose target cannot escape the link or a table cell."""
    safe = quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~-._")
    host = urlsplit(url.strip()).netloc.removeprefix("www.") or url
    return f"[{md(host)}]({safe})"


def _rag(rating: Rating) -> str:
    return f"**{rating.word}**"


def _owner(o: OwnerStanding) -> str:
    return f"{o.dept} ({o.role})"


def _table(headers: list[str], rows: Iterable[list[str]], align: str = "") -> list[str]:
    """A markdown table; `align` has an "r" for each right-aligned column."""
    rule = ["---:" if i < len(align) and align[i] == "r" else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return lines


def _latest_words(o: OwnerStanding) -> str:
    if o.latest is None:
        return f"{o.dept}: no return yet."
    words = f"{o.dept}, {o.latest.date}: \u201c{md(o.latest.summary)}\u201d"
    if o.latest.evidence:
        words += " (" + ", ".join(link(u) for u in o.latest.evidence) + ")"
    return words


def board_paper(data: Dataset, as_of: date, now: list[Standing], since: date, then: list[Standing]) -> str:
    review = data.review
    counts, before = summary(now), summary(then)
    earlier = {s.rec.number: s for s in then}
    out: list[str] = [
        f"# Delivery of the recommendations: {md(review.title)}",
        "",
        f"Board paper. Position at {as_of}; changes since the last board on {since}.",
        "",
        "## 1. Purpose",
        "",
        f"To update the board on the delivery of the {len(now)} recommendations of {md(review.author)}'s",
        f"*{md(review.title)}* ({review.published.year}), from the returns recorded by the owning",
        "departments, and to ask the board to note the position and decide on the exceptions in section 3.",
        f"An owner that has made no return in the {data.reporting_window_days} days before {as_of} is shown as",
        "**NO RETURN**, whatever it last reported; a recommendation is rated by its worst-rated owner.",
        "",
        "## 2. Summary",
        "",
    ]
    rows = []
    for rating in Rating:
        change = counts[rating] - before[rating]
        rows.append([rating.label, str(counts[rating]), str(before[rating]), f"{change:+d}" if change else "no change"])
    out += _table(["Rating", f"At {as_of}", f"At {since}", "Change"], rows, "lrrr")
    overdue = [s for s in now if s.overdue]
    worse = [s for s in now if s.worse]
    moved = [s for s in now if s.rec.number in earlier and earlier[s.rec.number].rag != s.rag]
    out += [
        "",
        f"{len(overdue)} recommendation{'s are' if len(overdue) != 1 else ' is'} overdue (the target date has passed and"
        " it is not complete).",
        f"{len(worse)} recommendation{'s' if len(worse) != 1 else ''} had an owner report a worse rating than before.",
        "",
    ]
    if moved:
        out.append(f"Ratings that changed since {since}:")
        out.append("")
        for s in moved:
            out.append(f"- Recommendation {s.rec.number}, {md(s.rec.title)}: {_rag(earlier[s.rec.number].rag)} to {_rag(s.rag)}")
        out.append("")
    else:
        out += [f"No recommendation's rating changed since {since}.", ""]

    out += ["## 3. Exceptions", ""]
    sections: list[tuple[str, list[Standing], Callable[[OwnerStanding], bool]]] = [
        ("3.1 Red", [s for s in now if s.rag is Rating.RED], lambda o: o.rag is Rating.RED),
        ("3.2 Overdue", overdue, lambda o: True),
        ("3.3 No return", [s for s in now if s.stale], lambda o: o.stale),
        ("3.4 Got worse", worse, lambda o: o.worse),
    ]
    for title, items, which in sections:
        out += [f"### {title}", ""]
        if not items:
            out += ["None.", ""]
            continue
        for s in items:
            target = f"target {s.target_date}" if s.target_date else "no target date"
            if s.revision is not None and s.deadline is not None:
                target += f", revised from {s.deadline}: {md(s.revision.reason)}"
            out.append(f"- **Recommendation {s.rec.number}**, {md(s.rec.title)}: {_rag(s.rag)}; {target}.")
            for o in s.owners:
                if which(o):
                    extra = f" (was {o.previous.rag.word})" if title.endswith("worse") and o.previous else ""
                    out.append(f"  - {_owner(o)}: {_rag(o.rag)}{extra}. {_latest_words(o)}")
        out.append("")

    silent = sorted({o.dept for s in now for o in s.owners if o.rag is Rating.NO_RETURN})
    reds = [str(s.rec.number) for s in now if s.rag is Rating.RED]
    revised = [s for s in now if s.revision is not None and s.revision.date > since]
    out += ["## 4. The board is asked to", "", f"- note the position on all {len(now)} recommendations at {as_of};"]
    if reds:
        out.append(f"- agree action with the owners of the red recommendations ({', '.join(reds)});")
    if overdue:
        numbers = ", ".join(str(s.rec.number) for s in overdue)
        out.append(f"- ask the owners of the overdue recommendations ({numbers}) for a revised target date with reasons;")
    if revised:
        out.append(
            f"- agree or challenge the target dates revised since {since} ({', '.join(str(s.rec.number) for s in revised)});"
        )
    if silent:
        out.append(f"- ask {', '.join(silent)} to make returns before the next board.")
    out.append("")

    out += ["## Appendix 1: recommendations by section", ""]
    by_section: dict[str, list[Standing]] = {}
    for s in now:
        by_section.setdefault(s.rec.section, []).append(s)
    for section, items in by_section.items():
        out += [f"### {md(section)} {md(items[0].rec.section_title)}", ""]
        rows = []
        for s in items:
            owners = "; ".join(f"{o.dept} ({o.role}) {_rag(o.rag)}" for o in s.owners)
            latest = [o.latest for o in s.owners if o.latest is not None]
            newest = max(latest, key=lambda u: u.date) if latest else None
            words = f"{newest.dept}, {newest.date}: {md(newest.summary)}" if newest else "No return yet."
            rows.append([str(s.rec.number), md(s.rec.title), owners, _rag(s.rag), str(s.target_date or "none"), words])
        out += _table(["#", "Recommendation", "Owners", "RAG", "Target date", "Latest return"], rows, "r")
        out.append("")

    out += ["## Appendix 2: recommendations by department", ""]
    departments: dict[str, list[tuple[Standing, OwnerStanding]]] = {}
    for s in now:
        for o in s.owners:
            departments.setdefault(o.dept, []).append((s, o))
    for code in sorted(departments, key=lambda c: data.registry.departments[c].name.casefold()):
        name = data.registry.departments[code].name
        out += [f"### {md(name)} ({md(code)})", ""]
        former = sorted({o.named_as for _, o in departments[code] if o.named_as != code})
        for old in former:
            old_name = data.registry.departments[old].name_on(review.published)
            numbers = ", ".join(str(s.rec.number) for s, o in departments[code] if o.named_as == old)
            out += [f"Recommendations {numbers} were made to {md(old_name)} ({md(old)}), whose work is now {md(code)}'s.", ""]
        then_name = data.registry.departments[code].name_on(review.published)
        if then_name != name:
            out += [f"When the review was made this body was {md(then_name)}.", ""]
        rows = [
            [str(s.rec.number), md(s.rec.title), o.role, _rag(o.rag), str(o.latest.date) if o.latest else "none"]
            for s, o in departments[code]
        ]
        out += _table(["#", "Recommendation", "Role", "RAG", "Last return"], rows, "r")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
