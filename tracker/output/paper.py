"""The board paper: the data and two dates in, markdown out. Pure and deterministic.

It follows the shape of a UK board paper, short enough to table: a header block, purpose, the
counts by headline rating with the change since the last board and what arrived since, the
exceptions (one entry per recommendation, with all its reasons), who is being chased, what the
board is asked to do, and appendices by section and by department. Every piece of user text is
escaped so that it is shown as the words it is: it cannot break a table, start a list, inject
HTML or restyle anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from tracker.domain.rating import Rating
from tracker.domain.recommendations import Board, Dataset
from tracker.domain.returns import Return
from tracker.domain.standing import OwnerStanding, Standing, owed, summary

from .plain import count
from .text import clean

if TYPE_CHECKING:
    from tracker.domain.corrections import Trail

_INLINE = re.compile(r"([\\`*_\[\]|~#])")
# How many words of an owner's or the board's summary an exception quotes.
QUOTED_WORDS, QUOTED_CHARS = 30, 300


def md(text: object) -> str:
    """User text as literal markdown: one line, HTML shown as text, markup characters escaped."""
    value = " ".join(clean(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _INLINE.sub(r"\\\1", value)


# What a link's target keeps as it is; every other character is percent-encoded, as
# urllib.parse.quote does with these as safe (written out here: urllib costs start-up).
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~:/?#[]@!$&'*+,;=%")
_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^/?#]*)")


def link(url: str) -> str:
    """A link whose text is the site and whose target cannot escape the link or a table cell."""
    url = url.strip()
    safe = "".join(ch if ch in _SAFE else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")) for ch in url)
    found = _HOST.match(url)
    host = found[1].removeprefix("www.") if found and found[1] else ""
    if not host:  # nothing a reader would recognise as a site: shown as text, not linked
        return md(url)
    return f"[{md(host)}]({safe})"


def rag(rating: Rating) -> str:
    """A rating as a shape and a word: both survive black-and-white printing and conversion to Word."""
    return f"{rating.symbol} **{rating.word}**"


def _numbers(items: Iterable[int]) -> str:
    return ", ".join(str(n) for n in items)


def _quoted(text: str) -> str:
    words = " ".join(text.split()[:QUOTED_WORDS])
    cut = words[:QUOTED_CHARS].rsplit(" ", 1)[0] if len(words) > QUOTED_CHARS else words
    return f"\u201c{md(cut)}{' …' if cut != ' '.join(text.split()) else ''}\u201d"


def _table(headers: list[str], rows: Iterable[list[str]], align: str = "") -> list[str]:
    """A markdown table; `align` has an "r" for each right-aligned column."""
    rule = ["---:" if i < len(align) and align[i] == "r" else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return lines


class Details(NamedTuple):
    """The header block: the board's own details, each overridable on the command line."""

    board: str | None
    meeting: date | None  # None: no meeting named on the command line or ahead in the board's block
    reference: str | None
    author: str | None
    classification: str | None
    since_meeting: bool = False  # "since" is the board's previous meeting, not just a date

    @classmethod
    def of(cls, kept: Board, meeting: date | None, since_meeting: bool, **overrides: str | None) -> Details:
        # Given on the command line, a blank value leaves its row out.
        given = {k: v.strip() or None for k, v in overrides.items() if v is not None}
        return cls(
            given.get("board", kept.name),
            meeting,
            given.get("reference", kept.reference),
            given.get("author", kept.author),
            given.get("classification", kept.classification),
            since_meeting,
        )


def reasons(s: Standing, before: Standing | None, since: date) -> list[str]:
    """Why a recommendation is an exception, worst first; none if it is not one. Its headline (red,
    no return) is a reason too, though the entry shows it as its rating rather than in words."""
    out = []
    if s.rag in (Rating.RED, Rating.NO_RETURN):
        out.append(s.rag.word.lower())
    if s.overdue:
        out.append(f"overdue (target {s.target_date})")
    if before is not None and s.rag.severity < before.rag.severity and s.rag is not Rating.NO_RETURN:
        out.append(f"was {before.rag.word} on {since}")
    out.extend(f"{o.role} {o.shown} reported worse" for o in s.owners if o.worse)
    out.extend(f"support {o.shown} is red" for o in s.owners if o.role != "lead" and o.rag is Rating.RED and not o.worse)
    return out


def _position(s: Standing) -> str:
    """`▲ **AMBER** (board, 2024-12-11; departments ○ **NO RETURN**)`."""
    if s.by_board and s.assessment is not None:
        departments = f"; departments {rag(s.departments_rag)}" if s.departments_rag is not s.rag else ""
        return f"{rag(s.rag)} (board, {s.assessment.date}{departments})"
    older = f"; board {rag(s.assessment.rag)} of {s.assessment.date} is older" if s.assessment is not None else ""
    return f"{rag(s.rag)} (departments{older})"


def _words(s: Standing) -> str:
    """The latest words on the recommendation: the board's when they set the headline, else the leads'."""
    if s.by_board and s.assessment is not None:
        a = s.assessment
        return f"Board, {a.date}: {_quoted(a.summary)}" + (f" ({link(a.evidence[0])})" if a.evidence else "")
    said = [o for o in s.owners if o.latest is not None and not o.stale]
    if not said:
        return ""
    # The words that explain the exception: a red owner's, else one that got worse, else a lead's.
    o = max(said, key=lambda o: (o.rag is Rating.RED, o.worse, o.role == "lead", o.latest.date if o.latest else date.min))
    assert o.latest is not None
    words = f"{o.shown}, {o.latest.date}: {_quoted(o.latest.summary)}"
    return words + (f" ({link(o.latest.evidence[0])})" if o.latest.evidence else "")


def board_paper(
    data: Dataset,
    as_of: date,
    now: list[Standing],
    since: date,
    then: list[Standing],
    details: Details,
    arrived: Sequence[Return],
    corrected: Sequence[Trail] = (),
) -> str:
    """The paper. `arrived`: the returns and assessments (in force) dated after `since`, up to `as_of`."""
    review = data.review
    counts, earlier_counts = summary(now), summary(then)
    earlier = {s.rec.number: s for s in then}
    title = f"{md(details.board)}: delivery" if details.board else "Delivery"
    out: list[str] = [f"# {title} of the recommendations of the {md(review.title)}", ""]
    header: list[tuple[str, str | None]] = [
        ("Board", md(details.board) if details.board else None),
        ("Meeting" if details.meeting is not None else "Date", str(details.meeting or as_of)),
        ("Paper reference", md(details.reference) if details.reference else None),
        ("Author", md(details.author) if details.author else None),
        ("Classification", md(details.classification) if details.classification else None),
        ("Position at", f"{as_of}, with changes since {'the last board on ' if details.since_meeting else ''}{since}"),
    ]
    shown = [[f"**{k}**", v] for k, v in header if v is not None]
    out += _table(shown[0], shown[1:])  # the meeting is always there: the block's first row heads it
    out += [
        "",
        "## Purpose",
        "",
        f"To update the board on the {count(len(now), 'recommendation')} of {md(review.author)}'s review"
        f" ({review.published.year}), and to ask it to note the position and decide on the exceptions.",
        f"A recommendation's headline rating is the board's own assessment where it is as new as {data.rated_by}"
        f" returns, and otherwise the departments' (the worst of {data.rated_by}). An owner with no return"
        f" in the {data.reporting_window_days} days to {as_of} counts as **NO RETURN**.",
        "",
        "## Summary",
        "",
    ]
    rows = []
    for rating in Rating:
        change = counts[rating] - earlier_counts[rating]
        rows.append([rag(rating), str(counts[rating]), str(earlier_counts[rating]), f"{change:+d}" if change else "none"])
    out += _table(["Headline", f"At {as_of}", f"At {since}", "Change"], rows, "lrrr")
    overdue = [s for s in now if s.overdue]
    by_whom: dict[str, int] = {}
    for r in arrived:
        by_whom[r.dept] = by_whom.get(r.dept, 0) + 1
    from_whom = ", ".join(f"{code} {n}" for code, n in sorted(by_whom.items()) if code)
    returns = sum(n for code, n in by_whom.items() if code)
    out += [
        "",
        f"{count(len(overdue), 'recommendation')} {'is' if len(overdue) == 1 else 'are'} overdue."
        f" Since {since} the board has recorded {count(by_whom.get('', 0), 'assessment')} and the departments"
        f" {count(returns, 'return')}" + (f" ({from_whom})." if from_whom else "."),
    ]
    out += _since(now, then, since, arrived, corrected)
    out += ["", "## Exceptions", ""]
    exceptions = [(s, why) for s in now if (why := reasons(s, earlier.get(s.rec.number), since))]
    if not exceptions:
        out += ["None.", ""]
    for s, why in exceptions:
        said = [r for r in why if r not in ("red", "no return")]
        out.append(f"- **{s.rec.number}. {md(s.rec.title)}**: {_position(s)}" + (f"; {'; '.join(said)}." if said else "."))
        if any(r == "red" or r.endswith(("worse", " is red")) for r in why) and (words := _words(s)):
            out.append(f"  {words}")
    chase = owed(now)
    out += ["", "## Chasing", ""]
    if chase:
        out += [
            f"These bodies have made no return in the {data.reporting_window_days} days to {as_of} on the"
            " recommendations shown (lead in bold).",
            "",
        ]
        latest: dict[str, date] = {}  # each department's latest return on anything
        for st in now:
            for o in st.owners:
                if o.latest is not None and o.latest.date > latest.get(o.via or o.dept, date.min):
                    latest[o.via or o.dept] = o.latest.date
        rows = []
        for code in sorted(chase, key=str.casefold):
            by_number: dict[int, list[OwnerStanding]] = {}
            for st, o in chase[code]:
                by_number.setdefault(st.rec.number, []).append(o)
            owing = []
            for number, owners in sorted(by_number.items()):
                lead = any(o.role == "lead" for o in owners)
                others = sorted({o.dept for o in owners if o.via})
                also = "" if not others else f" ({'and ' if len(others) < len(owners) else ''}for {', '.join(others)})"
                owing.append((f"**{number}**" if lead else str(number)) + also)
            rows.append([md(code), ", ".join(owing), str(latest[code]) if code in latest else "none yet"])
        out += _table(["Department", "Owes returns on", "Its latest return"], rows)
    else:
        out.append("Every owner has made a return in the window.")
    reds = [s.rec.number for s in now if s.rag is Rating.RED]
    revised = [s.rec.number for s in now if s.revision is not None and s.revision.date > since]
    out += ["", "## The board is asked to", "", f"- note the position at {as_of};"]
    if reds:
        out.append(f"- agree action with the owners of the red recommendations ({_numbers(reds)});")
    if overdue:
        out.append(
            f"- ask the leads of the overdue recommendations ({_numbers(s.rec.number for s in overdue)}) for revised dates;"
        )
    if revised:
        out.append(f"- agree or challenge the target dates revised since {since} ({_numbers(revised)});")
    if chase:
        out.append(f"- ask the {count(len(chase), 'body', 'bodies')} under Chasing for returns before the next board.")
    out.append("")
    out += _appendices(data, now)
    return "\n".join(out).rstrip("\n") + "\n"


def _since(
    now: list[Standing], then: list[Standing], since: date, arrived: Sequence[Return], corrected: Sequence[Trail]
) -> list[str]:
    """What arrived since the last board: returns and assessments by recommendation, target dates
    revised, headlines that changed, and exceptions new and cleared."""
    out = []
    received: dict[int, list[str]] = {}
    for r in sorted(arrived, key=lambda r: (r.recommendation, r.date, r.file, r.line or 0)):
        received.setdefault(r.recommendation, []).append(f"{r.dept or 'board'} {r.rag.word}")
    if received:
        out += ["", "Received: " + "; ".join(f"{n} ({', '.join(who)})" for n, who in received.items()) + "."]
    earlier = {s.rec.number: s for s in then}
    revised = [r for r in arrived if r.target_date is not None]
    if revised:

        def previously(n: int) -> str:
            before = earlier[n].target_date if n in earlier else None
            return f"was {before}; " if before else ""

        moves = "; ".join(f"{r.recommendation} to {r.target_date} ({previously(r.recommendation)}{r.dept})" for r in revised)
        out += ["", f"Target dates revised: {moves}."]
    if corrected:
        done = [
            f"{t.of.recommendation} ({t.of.dept or 'board'}'s {t.of.date} {t.of.rag.word} "
            + ("withdrawn" if t.now is None else f"corrected to {t.now.rag.word}" if t.now.rag is not t.of.rag else "corrected")
            + ")"
            for t in corrected
        ]
        out += ["", "Corrections: " + "; ".join(done) + "."]
    moved = [s for s in now if s.rec.number in earlier and earlier[s.rec.number].rag is not s.rag]
    if moved:
        changes = "; ".join(f"{s.rec.number} {earlier[s.rec.number].rag.word} to {s.rag.word}" for s in moved)
        out += ["", f"Headline ratings that changed: {changes}."]
    was = {s.rec.number for s in then if reasons(s, None, since)}
    now_ = {s.rec.number for s in now if reasons(s, earlier.get(s.rec.number), since)}
    new, cleared = sorted(now_ - was), sorted(was - now_)
    if new or cleared:
        parts = ([f"new {_numbers(new)}"] if new else []) + ([f"cleared {_numbers(cleared)}"] if cleared else [])
        out += ["", f"Exceptions since {since}: {'; '.join(parts)}."]
    return out


def _appendices(data: Dataset, now: list[Standing]) -> list[str]:
    out = ["## Appendix A: recommendations by section", ""]
    rows = []
    for s in now:
        board = f"{rag(s.assessment.rag)} {s.assessment.date}" if s.assessment is not None else "none"
        rows.append(
            [
                str(s.rec.number),
                md(s.rec.section),
                md(s.rec.title),
                rag(s.departments_rag),
                board,
                rag(s.rag),
                str(s.target_date or "none"),
            ]
        )
    out += _table(["#", "Section", "Recommendation", "Departments", "Board", "Headline", "Target"], rows, "r")
    out += ["", "## Appendix B: recommendations by department", ""]
    by_body: dict[str, list[tuple[Standing, OwnerStanding]]] = {}
    for s in now:
        for o in s.owners:
            by_body.setdefault(o.dept, []).append((s, o))
    rows = []
    for code in sorted(by_body, key=lambda c: data.registry.departments[c].name.casefold()):
        items = by_body[code]
        via = sorted({o.via for _, o in items if o.via})
        name = md(data.registry.departments[code].name) + (f" (reports via {', '.join(via)})" if via else "")
        owns = "; ".join(
            f"{s.rec.number} {o.role}" + (f" (from {o.named_as})" if o.named_as != code else "") + f" {o.rating_text}"
            for s, o in items
        )
        rows.append([md(code), name, md(owns)])
    out += _table(["Code", "Body", "Recommendations: role and rating"], rows)
    return out
