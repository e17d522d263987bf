"""The board paper: the data and two dates in, the paper's blocks out. Pure and deterministic.

It follows the shape of a UK board paper, short enough to table: a header block, purpose, the
counts by headline rating with the change since the last board and what arrived since, the
exceptions (one entry per recommendation, with all its reasons), who is being chased, what the
board is asked to do, and appendices by section and by department. The same blocks become
markdown, HTML and Word (output/markdown.py, html.py, word.py), which escape every piece of user
text for their format: it is shown as the words it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from tracker.domain.rating import Rating
from tracker.domain.recommendations import Board, Dataset, Words
from tracker.domain.returns import Entry
from tracker.domain.standing import OwnerStanding, RollUp, Standing, most_overdue, owed, summary
from tracker.domain.values import long_date, period_words

from .document import (
    Appendices,
    Block,
    Charts,
    Counts,
    Dashboard,
    Fields,
    Heading,
    Inline,
    Items,
    Line,
    Link,
    Mark,
    MeasureCharts,
    Paper,
    Para,
    Series,
    Strong,
    Table,
    plain,
)
from .text import count

if TYPE_CHECKING:
    from tracker.domain.board import ActionState, MeetingNotes, Risk
    from tracker.domain.outcomes import Framework, MeasureStanding, Outcome

    OutcomeStandings = Sequence[tuple[Outcome, Sequence[MeasureStanding]]]
    from tracker.domain.corrections import Trail

__all__ = ["RANKS", "Details", "Exception_", "board_paper", "count", "dashboard", "outcomes_section", "ranked", "reasons"]

# The most dates the dashboard's chart shows, the latest: more would be too thin to read.
CHARTED = 40
# However large the workspace, the part before the appendices stays short enough to table: page one
# names at most LISTED of each kind (then says how many more), and beyond EXCEPTIONS_LISTED the
# exceptions are counted by section, every one of them listed in full in an appendix.
LISTED = 10
EXCEPTIONS_LISTED = 30
# The most items any other list before the appendices names (what arrived, who owes what, what the
# board is asked to act on), then how many more.
LONG = 25
# How many words of an owner's or the board's summary an exception quotes.
QUOTED_WORDS, QUOTED_CHARS = 30, 300


def _quoted(text: str) -> str:
    whole = plain(text)
    words = " ".join(whole.split()[:QUOTED_WORDS])
    cut = words[:QUOTED_CHARS].rsplit(" ", 1)[0] if len(words) > QUOTED_CHARS else words
    return f"\u201c{cut}{' …' if cut != whole else ''}\u201d"


def _long(day: date | None) -> str:
    """A date in the paper's text, as a UK reader reads it: `10 December 2026` (tables keep ISO dates)."""
    return long_date(day) if day is not None else "none"


def _assessed(a: Entry) -> str:
    """`assessed 26 November 2026 on evidence of March 2023`: both of an assessment's dates, labelled."""
    return f"assessed {_long(a.date)}" + (f" on evidence of {period_words(a.evidence_date)}" if a.evidence_date else "")


def _evidence(urls: Sequence[str]) -> Line:
    return (" (", Link(urls[0]), ")") if urls else ()


class Details(NamedTuple):
    """The header block: the board's own details, each overridable on the command line."""

    board: str | None
    meeting: date | None  # None: no meeting named on the command line or ahead in the board's block
    reference: str | None
    author: str | None
    classification: str | None
    since_meeting: bool = False  # "since" is the board's previous meeting, not just a date
    returns_by: date | None = None  # the meeting's returns deadline, when the paper is for one of the board's meetings

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
            kept.returns_deadline(meeting) if meeting is not None and meeting in kept.meetings else None,
        )


def reasons(s: Standing, before: Standing | None, since: date) -> list[str]:
    """Why a recommendation is an exception, worst first; none if it is not one. Its headline (red,
    no return) is a reason too, though the entry shows it as its rating rather than in words."""
    out = []
    if s.rag in (Rating.RED, Rating.NO_RETURN):
        out.append(s.rag.word.lower())
    if s.overdue:
        out.append(f"overdue (target {_long(s.target_date)})")
    if before is not None and s.rag.severity < before.rag.severity and s.rag is not Rating.NO_RETURN:
        out.append(f"was {before.rag.word} on {_long(since)}")
    out.extend(f"{o.role} {o.shown} reported worse" for o in s.owners if o.worse)
    out.extend(f"support {o.shown} is red" for o in s.owners if o.role != "lead" and o.rag is Rating.RED and not o.worse)
    return out


def _awaiting(s: Standing) -> str:
    """`, awaiting DHSC`: said where some leads have reported (with none, every lead is awaited)."""
    return (
        f", awaiting {', '.join(o.shown for o in s.awaited)}" if s.awaiting and s.departments_rag is not Rating.NO_RETURN else ""
    )


def _position(s: Standing, owners: str = "departments") -> Line:
    """`▲ **AMBER** (board, assessed 11 December 2024; departments ● **GREEN**, awaiting DHSC)`."""
    if s.by_board and s.assessment is not None:
        departments: Line = (
            (f"; {owners} ", Mark(s.departments_rag), _awaiting(s)) if s.departments_rag is not s.rag or s.awaiting else ()
        )
        return (Mark(s.rag), f" (board, {_assessed(s.assessment)}", *departments, ")")
    older: Line = ("; board ", Mark(s.assessment.rag), f" {_assessed(s.assessment)} is older") if s.assessment is not None else ()
    return (Mark(s.rag), f" ({owners}{_awaiting(s)}", *older, ")")


def _words(s: Standing) -> Line:
    """The latest words on the recommendation: the board's when they set the headline, else the leads'."""
    if s.by_board and s.assessment is not None:
        a = s.assessment
        return (f"Board: {_quoted(a.summary)}", *_evidence(a.evidence))  # its dates are on the line above
    said = [o for o in s.owners if o.latest is not None and not o.stale]
    if not said:
        return ()
    # The words that explain the exception: a red owner's, else one that got worse, else a lead's.
    o = max(said, key=lambda o: (o.rag is Rating.RED, o.worse, o.role == "lead", o.latest.date if o.latest else date.min))
    assert o.latest is not None
    return (f"{o.shown}, {_long(o.latest.date)}: {_quoted(o.latest.summary)}", *_evidence(o.latest.evidence))


def board_paper(
    data: Dataset,
    as_of: date,
    now: list[Standing],
    since: date,
    then: list[Standing],
    details: Details,
    arrived: Sequence[Entry],
    corrected: Sequence[Trail] = (),
    dashboard: Dashboard | None = None,
    section: str | None = None,
    chased: date | None = None,
    notes: MeetingNotes | None = None,
    actions: Sequence[ActionState] = (),
    rollups: Sequence[RollUp] = (),
    outcomes: tuple[str, list[Block]] | None = None,
    serving: Mapping[str, str] | None = None,
) -> Paper:
    """The paper. `arrived`: the returns and assessments (in force) dated after `since`, up to `as_of`;
    `chased`: the day the window of who owes returns ends (the meeting's returns deadline, as `tracker
    chase` counts it; `as_of` without one); `notes`: the secretariat's words for the meeting (its cover
    note, the decisions it asks, its risks and issues); `actions`: the actions log as it stands on `as_of`."""
    title = f"{plain(details.board)}: delivery" if details.board else "Delivery"
    title += f" of {plain(data.words.of)}"
    title += f": section {plain(section)}" if section is not None else ""
    chase_day = chased or as_of
    chase = owed(now, chase_day, data.reporting_window_days)
    exceptions = ranked(now, then, since)
    # Page one carries the signal: what is wrong, and what the board is asked to decide. Counts after.
    out: list[Block] = [_header(details, as_of, since), *_purpose(data, len(now), section)]
    out += _glance(exceptions, then, as_of, chase, actions, data.words)
    listed = "Appendix C" if len(exceptions) > EXCEPTIONS_LISTED else "Exceptions"
    asked = Items(tuple(((plain(a),), None) for a in notes.asks)) if notes and notes.asks else None
    out += [Heading(2, "The board is asked to"), asked or _asked(now, as_of, since, chase, listed, data.words)]
    if notes and notes.cover:  # the secretariat's own words, after the signal and before the counts
        out += [Heading(2, "Cover note"), *(Para((plain(p),)) for p in notes.cover)]
    out += [Charts(), *_summary(data, now, then, as_of, since, arrived)]
    out += _since(data, now, then, since, arrived, corrected)
    out += _exceptions(exceptions, data.words, serving)
    out += _delivered(rollups, data)
    out += _actions(actions, as_of, since)
    out += _risks(notes.risks if notes else ())
    out += _chasing(data, now, chase_day, chase, details, as_of)
    out += [Appendices(), *_appendices(data, now)]
    if len(exceptions) > EXCEPTIONS_LISTED:
        out += [Heading(2, "Appendix C: every exception"), *_exception_entries(exceptions, data.words, serving)]
    # The outcomes (outcomes_section), where the workspace has a framework: an appendix of their own, so
    # that the part before the appendices, which page one and the exceptions fill, stays as short.
    if outcomes is not None:
        appendix = "D" if len(exceptions) > EXCEPTIONS_LISTED else "C"
        out += [Heading(2, f"Appendix {appendix}: outcomes"), Para((outcomes[0],)), *outcomes[1]]
    by = plain(details.author or details.board) if details.author or details.board else None
    return Paper(title, dashboard, tuple(out), plain(details.classification) if details.classification else None, by)


class Exception_(NamedTuple):
    """A recommendation that is an exception: how severe (its place in RANKS), why, and when its
    standing last changed (the newest entry behind it)."""

    rank: int
    standing: Standing
    why: list[str]
    changed: date


# The kinds of exception, most severe first: a recommendation is listed under the first that fits.
RANKS = ("Red", "Worse", "Overdue", "No return", "Other")


def ranked(now: list[Standing], then: list[Standing], since: date) -> list[Exception_]:
    """The exceptions in order of severity (RANKS), the newest change first within each; never by number."""
    earlier = {s.rec.number: s for s in then}
    out = []
    for s in now:
        before = earlier.get(s.rec.number)
        why = reasons(s, before, since)
        if not why:
            continue
        worse = s.worse or (before is not None and _got_worse(s, before))
        rank = 0 if s.rag is Rating.RED else 1 if worse else 2 if s.overdue else 3 if s.rag is Rating.NO_RETURN else 4
        out.append(Exception_(rank, s, why, _changed(s)))
    return sorted(out, key=lambda e: (e.rank, -e.changed.toordinal(), e.standing.rec.number))


def _got_worse(s: Standing, before: Standing) -> bool:
    return s.rag.severity < before.rag.severity and s.rag is not Rating.NO_RETURN


def _changed(s: Standing) -> date:
    """The date of the newest entry a standing rests on: a return, a revision or the board's assessment."""
    dates = [o.latest.date for o in s.owners if o.latest is not None]
    dates += [e.known for e in (s.assessment, s.revision) if e is not None]
    return max(dates, default=date.min)


def _some(parts: Sequence[str], where: str | None, separator: str = "; ", most: int | None = None) -> str:
    """The first LISTED (or `most`) of `parts`, and how many more there are (listed `where`)."""
    most = LISTED if most is None else most
    if len(parts) <= most + 2:  # "and 2 more" says no less than the two would
        return separator.join(parts)
    return separator.join(parts[:most]) + f"{separator}and {len(parts) - most:,} more{f' ({where})' if where else ''}"


def _many(numbers: Sequence[int | str], where: str | None = None) -> str:
    """Recommendation numbers (or refs), at most LONG of them."""
    return _some([str(n) for n in numbers], where, ", ", LONG)


def _glance(
    exceptions: list[Exception_],
    then: list[Standing],
    as_of: date,
    chase: dict[str, list[tuple[Standing, OwnerStanding]]],
    actions: Sequence[ActionState] = (),
    w: Words | None = None,
) -> list[Block]:
    """Page one: each red (new ones said), each that got worse, each overdue with its days, those
    with no return (no lead has reported, the board has not assessed), and the returns owed."""
    earlier = {s.rec.number: s for s in then}
    items: list[tuple[Line, Line | None]] = []
    where = "Appendix C" if len(exceptions) > EXCEPTIONS_LISTED else "Exceptions"

    def named(s: Standing) -> str:
        return f"{s.rec.shown} {plain(s.rec.title)}"

    reds = [e.standing for e in exceptions if e.rank == 0]
    if reds:

        def new(s: Standing) -> str:
            before = earlier.get(s.rec.number)
            return f" (new; was {before.rag.word})" if before is not None and before.rag is not Rating.RED else ""

        items.append(((Strong(f"Red ({len(reds)}):"), " " + _some([named(s) + new(s) for s in reds], where) + "."), None))
    worse = [e.standing for e in exceptions if e.rank == 1]
    if worse:

        def how(s: Standing) -> str:
            before = earlier.get(s.rec.number)
            if before is not None and _got_worse(s, before):
                return f" ({before.rag.word} to {s.rag.word})"
            return " (" + ", ".join(f"{o.shown} reported worse" for o in s.owners if o.worse) + ")"

        items.append(((Strong(f"Worse ({len(worse)}):"), " " + _some([named(s) + how(s) for s in worse], where) + "."), None))
    overdue = most_overdue((e.standing for e in exceptions), as_of)
    if overdue:
        days = _some([f"{s.rec.shown} ({d:,} day{'s' if d != 1 else ''})" for s, d in overdue], where)
        items.append(((Strong(f"Overdue ({len(overdue)}):"), f" {days}, most overdue first."), None))
    silent = [
        s.rec.shown for s in sorted((e.standing for e in exceptions), key=lambda s: s.rec.number) if s.rag is Rating.NO_RETURN
    ]
    if silent:
        items.append(((Strong(f"No return ({len(silent)}):"), f" {_some([str(n) for n in silent], where, ', ', LONG)}."), None))
    if chase:  # counted as `tracker chase` counts them: a return for each owner on each recommendation
        owing = sorted(chase.items(), key=lambda kv: (-len(kv[1]), kv[0].casefold()))
        who = _some([f"{code} {len(owes):,}" for code, owes in owing], "Chasing", ", ", LONG)
        returns = sum(len(owes) for owes in chase.values())
        words = (
            f" {count(len(chase), 'body', 'bodies')} owe {returns:,} return{'s' if returns != 1 else ''} (how many each): {who}."
        )
        items.append(((Strong("Returns owed:"), words), None))
    late = sorted((s for s in actions if s.overdue(as_of)), key=lambda s: (s.due or as_of, s.action.raised))
    if late:
        due = _some([f"{s.action.ref} ({plain(s.owner)}, {_days(s.due, as_of)} late)" for s in late], "Actions", "; ")
        items.append(((Strong(f"Actions overdue ({len(late)}):"), f" {due}."), None))
    if not items:
        items.append(((f"No {w.item if w else 'recommendation'} is red, worse, overdue or without a return.",), None))
    return [Heading(2, f"At a glance, {_long(as_of)}"), Items(tuple(items))]


def _days(due: date | None, as_of: date) -> str:
    late = (as_of - due).days if due is not None else 0
    return f"{late:,} day{'s' if late != 1 else ''}"


def _actions(actions: Sequence[ActionState], as_of: date, since: date) -> list[Block]:
    """The board's actions: each still open, and each closed since the last board, with its status
    and latest note; overdue ones first."""
    shown = [s for s in actions if not s.closed or s.changed > since]
    out: list[Block] = [Heading(2, "Actions from the last meeting")]
    if not shown:
        return [*out, Para((f"No action is open, nor closed since {_long(since)}.",))]
    shown.sort(key=lambda s: (not s.overdue(as_of), s.closed, s.action.raised, int(s.action.ref[1:])))
    rows = []
    for s in shown[:LONG]:
        status: Line = (Strong("OVERDUE"), ", ") if s.overdue(as_of) else ()
        status += (s.status + (f" {s.changed}" if s.closed else ""),) + ((f": {plain(s.note)}",) if s.note else ())
        rows.append(((s.action.ref,), (plain(s.action.text),), (plain(s.owner),), (str(s.due or "none"),), status))
    closed = sum(s.closed for s in shown)
    out.append(
        Para(
            (
                f"{count(len(shown) - closed, 'action')} open at {_long(as_of)} and {closed:,} closed since {_long(since)}"
                f"{f'; the first {LONG} here, every one in tracker action list' if len(shown) > LONG else ''}.",
            )
        )
    )
    return [*out, Table(("Ref", "Action", "Owner", "Due", "Status"), tuple(rows))]


def _risks(risks: Sequence[Risk]) -> list[Block]:
    """The risks and issues the secretariat reports to the meeting, as it wrote them."""
    if not risks:
        return []
    rows = tuple(
        (
            (r.kind.capitalize(),),
            (plain(r.text),),
            (plain(r.owner or ""),),
            (Mark(r.rating),) if r.rating is not None else ("",),
            (plain(r.mitigation or ""),),
        )
        for r in risks
    )
    out: list[Block] = [
        Heading(2, "Risks and issues"),
        Table(("Kind", "Risk or issue", "Owner", "Rating", "Mitigation"), rows[:LONG]),
    ]
    if len(rows) > LONG:
        out.append(Para((f"And {len(rows) - LONG:,} more, in meetings.yaml.",)))
    return out


def _header(details: Details, as_of: date, since: date) -> Block:
    header: list[tuple[str, str | None]] = [
        ("Board", details.board),
        ("Meeting" if details.meeting is not None else "Date", _long(details.meeting or as_of)),
        ("Paper reference", details.reference),
        ("Author", details.author),
        ("Classification", details.classification),
        ("Returns due by", _long(details.returns_by) if details.returns_by else None),
        (
            "Position at",
            f"{_long(as_of)}, with changes since {'the last board on ' if details.since_meeting else ''}{_long(since)}",
        ),
    ]
    return Fields(tuple((k, (plain(v),)) for k, v in header if v))


def _purpose(data: Dataset, recommendations: int, section: str | None = None) -> list[Block]:
    which = f" in section {plain(section)}" if section is not None else ""
    sources = data.words.sources
    if sources == (data.review_source,):
        review = data.review
        what = f"{count(recommendations, 'recommendation')}{which} of {plain(review.author)}'s review ({review.published.year})"
    else:
        what = " and ".join(
            f"{s.counted(sum(1 for r in data.recommendations if r.source == s.key))} of the {plain(s.title)} ({s.published.year})"
            for s in sources
        )
        what = f"{what}{which}"
    return [
        Heading(2, "Purpose"),
        Para((f"To update the board on the {what}, and to ask it to note the position and decide on the exceptions.",)),
    ]


def _silent(data: Dataset) -> str:
    return "A lead silent" if data.rating_owners == "leads" else "An owner silent"


def _summary(
    data: Dataset, now: list[Standing], then: list[Standing], as_of: date, since: date, arrived: Sequence[Entry]
) -> list[Block]:
    """The counts by headline rating, then and now, how a headline is made, and what arrived since."""
    counts, earlier_counts = summary(now), summary(then)
    rows: list[tuple[Line, ...]] = []
    for rating in Rating:
        change = counts[rating] - earlier_counts[rating]
        rows.append(
            ((Mark(rating),), (str(counts[rating]),), (str(earlier_counts[rating]),), (f"{change:+d}" if change else "none",))
        )
    overdue = sum(1 for s in now if s.overdue)
    by_whom: dict[str, int] = {}
    for r in arrived:
        by_whom[r.dept] = by_whom.get(r.dept, 0) + 1
    from_whom = ", ".join(f"{code} {n}" for code, n in sorted(by_whom.items()) if code)
    returns = sum(n for code, n in by_whom.items() if code)
    return [
        Heading(2, "Summary"),
        Table(("Headline", f"At {as_of}", f"At {since}", "Change"), tuple(rows), "lrrr"),
        Para(
            (
                f"A headline is the board's assessment if it is as new as {data.rated_by} returns, else the"
                f" {data.words.owners}' rating: the worst {data.rated_by} returns give. {_silent(data)} for"
                f" {data.reporting_window_days} days is awaited, its last rating counting; ",
                Strong("NO RETURN"),
                ": none has reported, nor the board assessed.",
            )
        ),
        Para(
            (
                f"{data.words.counted(overdue)} {'is' if overdue == 1 else 'are'} overdue."
                f" Since {_long(since)} the board has recorded {count(by_whom.get('', 0), 'assessment')} and the"
                f" {data.words.owners}"
                f" {count(returns, 'return')}" + (f" ({from_whom})." if from_whom else ".") + _assessed_later(now, as_of, since),
            )
        ),
    ]


def _assessed_later(now: list[Standing], as_of: date, since: date) -> str:
    """For a paper as of an earlier date: the board's assessments that count in it though they were
    made after it (of evidence from the period), which "recorded since" does not count."""
    later = [
        s.rec.shown
        for s in sorted(now, key=lambda s: s.rec.number)
        if s.assessment is not None and s.assessment.date > as_of and s.assessment.known > since
    ]
    if not later:
        return ""
    return f" Assessed by the board after {_long(as_of)}, on evidence from this period: {_many(later)}."


def _exceptions(exceptions: list[Exception_], w: Words, serving: Mapping[str, str] | None = None) -> list[Block]:
    """The exceptions in order of severity (RANKS), under a heading for each kind: each in full, or,
    beyond EXCEPTIONS_LISTED, counted by section (each in full in Appendix C)."""
    if not exceptions:
        return [Heading(2, "Exceptions"), Para(("None.",))]
    if len(exceptions) <= EXCEPTIONS_LISTED:
        return [Heading(2, "Exceptions"), *_exception_entries(exceptions, w, serving)]
    out: list[Block] = [
        Heading(2, "Exceptions"),
        Para(
            (
                f"{w.counted(len(exceptions))} are exceptions, too many to list here: each is in"
                " Appendix C with all its reasons. Here, by kind and section:",
            )
        ),
    ]
    for rank, label in enumerate(RANKS):
        by_section: dict[str, list[Standing]] = {}
        for e in exceptions:
            if e.rank == rank:
                by_section.setdefault(e.standing.rec.section, []).append(e.standing)
        if by_section:
            # However many sections there are: the LISTED with the most of this kind, the rest counted.
            shown = sorted(by_section.items(), key=lambda kv: -len(kv[1]))[:LISTED] if len(by_section) > LISTED + 2 else []
            kept = dict(shown) if shown else by_section
            rows = tuple(
                (
                    (f"{plain(key)} {plain(items[0].rec.section_title)}",),
                    (str(len(items)),),
                    (_some([s.rec.shown for s in items], None, ", ", LISTED // 2),),
                )
                for key, items in by_section.items()
                if key in kept
            )
            if len(kept) < len(by_section):
                rest = [items for key, items in by_section.items() if key not in kept]
                rows += (((f"{len(rest):,} more sections",), (f"{sum(map(len, rest)):,}",), ("Appendix C",)),)
            out += [
                Heading(3, f"{label} ({sum(len(v) for v in by_section.values()):,})"),
                Table(("Section", "How many", "Recommendations"), rows, "lrl"),
            ]
    return out


def _exception_entries(exceptions: list[Exception_], w: Words, serving: Mapping[str, str] | None = None) -> list[Block]:
    """One entry per recommendation with all its reasons, and the words behind a red or a worsening,
    under a heading for each kind; a red one with the outcomes it serves (`serving`: their names by code)."""
    out: list[Block] = [Para(("Each is listed once, under the first kind that fits.",))]
    for rank, label in enumerate(RANKS):
        items: list[tuple[Line, Line | None]] = []
        for e in (e for e in exceptions if e.rank == rank):
            s, why = e.standing, e.why
            said = [r for r in why if r not in ("red", "no return")]
            if serving and s.rag is Rating.RED and s.rec.outcomes:
                said.append("serves " + "; ".join(plain(serving.get(code, code)) for code in s.rec.outcomes))
            end = f"; {'; '.join(said)}." if said else "."
            entry = (Strong(f"{s.rec.shown}. {plain(s.rec.title)}"), ": ", *_position(s, w.owners), end)
            words = _words(s) if any(r == "red" or r.endswith(("worse", " is red")) for r in why) else ()
            items.append((entry, words or None))
        if items:
            out += [Heading(3, f"{label} ({len(items)})"), Items(tuple(items))]
    return out


def _chasing(
    data: Dataset,
    now: list[Standing],
    as_of: date,
    chase: dict[str, list[tuple[Standing, OwnerStanding]]],
    details: Details | None = None,
    paper_day: date | None = None,
) -> list[Block]:
    """The bodies owing returns (counted to `as_of`: the returns deadline where it is the earlier),
    each with the recommendations it owes them on and its latest return."""
    if not chase:
        return [
            Heading(2, "Chasing"),
            Para((f"Nobody owes a return: every owner of an open {data.words.item} has made one in the window.",)),
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
        owing: list[Inline] = []
        numbers = sorted(by_number.items())
        for number, owners in numbers if len(numbers) <= LONG else numbers[:LISTED]:
            lead = any(o.role == "lead" for o in owners)
            others = sorted({o.dept for o in owners if o.via})
            also = "" if not others else f" ({'and ' if len(others) < len(owners) else ''}for {', '.join(others)})"
            owing += [", "] if owing else []
            ref = data.ref_of(number)
            owing += [Strong(ref) if lead else ref] + ([also] if also else [])
        if len(numbers) > LONG:
            owing.append(f", and {len(numbers) - LISTED:,} more (tracker chase --dept {code})")
        rows.append(((code,), tuple(owing), (str(latest[code]) if code in latest else "none",)))
    return [
        Heading(2, "Chasing"),
        Para(
            (
                f"These bodies have made no return in the {data.reporting_window_days} days to {_long(as_of)}"
                f"{_deadline(details, as_of)}{', nor since' if paper_day and paper_day > as_of else ''}"
                f" on the {data.words.items} shown (lead in bold).",
            )
        ),
        Table((data.words.owner.capitalize(), "Owes returns on", "Its latest return"), tuple(rows)),
    ]


def _deadline(details: Details | None, day: date) -> str:
    """`, the returns deadline for the meeting on 2025-07-03`, where `day` is one."""
    if details is None or details.meeting is None or details.returns_by != day:
        return ""
    return f", the returns deadline for the meeting on {_long(details.meeting)}"


def _asked(
    now: list[Standing],
    as_of: date,
    since: date,
    chase: dict[str, list[tuple[Standing, OwnerStanding]]],
    listed: str = "Exceptions",
    w: Words | None = None,
) -> Items:
    """What the board is asked to do: note the position, and act on each kind of exception there is."""
    items = w.items if w is not None else "recommendations"
    reds = [s.rec.shown for s in now if s.rag is Rating.RED]
    overdue = [s.rec.shown for s in now if s.overdue]
    revised = [s.rec.shown for s in now if s.revision is not None and s.revision.date > since]
    asked: list[tuple[Line, Line | None]] = [((f"note the position at {_long(as_of)};",), None)]
    if reds:
        asked.append(((f"agree action with the owners of the red {items} ({_many(reds, listed)});",), None))
    if overdue:
        asked.append(((f"ask the leads of the overdue {items} ({_many(overdue, listed)}) for revised dates;",), None))
    if revised:
        asked.append(((f"agree or challenge the target dates revised since {_long(since)} ({_many(revised)});",), None))
    if chase:
        asked.append(((f"ask the {count(len(chase), 'body', 'bodies')} under Chasing for returns before the next board.",), None))
    return Items(tuple(asked))


def _since(
    data: Dataset, now: list[Standing], then: list[Standing], since: date, arrived: Sequence[Entry], corrected: Sequence[Trail]
) -> list[Block]:
    """What arrived since the last board: returns and assessments by recommendation, target dates
    revised, headlines that changed, and exceptions new and cleared."""
    out: list[Block] = []
    received: dict[int, list[str]] = {}
    last: dict[int, str] = {}  # who made the entry before, on each: `board GREEN, AMBER`, not `board` twice
    for r in sorted(arrived, key=lambda r: (r.recommendation, r.date, r.file, r.line or 0)):
        who = r.dept or "board"
        said = r.rag.word if last.get(r.recommendation) == who else f"{who} {r.rag.word}"
        received.setdefault(r.recommendation, []).append(said)
        last[r.recommendation] = who
    if received:
        each = [f"{data.ref_of(n)} ({_some(who, None, ', ')})" for n, who in received.items()]
        out.append(Para(("Received: " + _some(each, None, "; ", LONG) + ".",)))
    earlier = {s.rec.number: s for s in then}
    revised = [r for r in arrived if r.target_date is not None]
    if revised:

        def previously(n: int) -> str:
            before = earlier[n].target_date if n in earlier else None
            return f"was {_long(before)}; " if before else ""

        moves = _some(
            [
                f"{data.ref_of(r.recommendation)} to {_long(r.target_date)} ({previously(r.recommendation)}{r.dept})"
                for r in revised
            ],
            None,
            "; ",
            LONG,
        )
        out.append(Para((f"Target dates revised: {moves}.",)))
    if corrected:
        done = [
            f"{data.ref_of(t.of.recommendation)} ({t.of.dept or 'board'}'s {_long(t.of.date)} {t.of.rag.word} "
            + ("withdrawn" if t.now is None else f"corrected to {t.now.rag.word}" if t.now.rag is not t.of.rag else "corrected")
            + ")"
            for t in corrected
        ]
        out.append(Para(("Corrections: " + _some(done, None, "; ", LONG) + ".",)))
    moved = [s for s in now if s.rec.number in earlier and earlier[s.rec.number].rag is not s.rag]
    if moved:
        changes = _some([f"{s.rec.shown} {earlier[s.rec.number].rag.word} to {s.rag.word}" for s in moved], None, "; ", LONG)
        out.append(Para((f"Headline ratings that changed: {changes}.",)))
    was = {s.rec.number for s in then if reasons(s, None, since)}
    now_ = {s.rec.number for s in now if reasons(s, earlier.get(s.rec.number), since)}
    new, cleared = [data.ref_of(n) for n in sorted(now_ - was)], [data.ref_of(n) for n in sorted(was - now_)]
    if new or cleared:
        parts = ([f"new {_many(new)}"] if new else []) + ([f"cleared {_many(cleared)}"] if cleared else [])
        out.append(Para((f"Exceptions since {_long(since)}: {'; '.join(parts)}.",)))
    return out


def _delivered(rollups: Sequence[RollUp], data: Dataset) -> list[Block]:
    """Each recommendation of another source that the items deliver (a national recommendation under
    a partnership's actions), rated from those items: the worst of theirs, one silent not blanking the rest."""
    out: list[Block] = []
    by_source: dict[str, list[RollUp]] = {}
    for r in rollups:
        by_source.setdefault(r.rec.source, []).append(r)
    for key, rows in by_source.items():
        source = next((s for s in (data.review_source, *data.sources) if s.key == key), None)
        if source is None:
            continue
        out += [
            Heading(2, f"The {source.items} of the {plain(source.title)} that these {data.words.items} deliver"),
            Para(
                (
                    f"Each {source.item} is rated from the {data.words.items} that say they deliver it: the worst of their"
                    " headlines, one with no return not blanking the others.",
                )
            ),
            Table(
                ("#", source.item.capitalize(), "Rolled up", f"Delivered by ({data.words.items})"),
                tuple(
                    (
                        (r.rec.shown,),
                        (plain(r.rec.title),),
                        (Mark(r.rag),),
                        ("; ".join(f"{s.rec.shown} {s.rag.word}" for s in r.items),),
                    )
                    for r in rows
                ),
                "r",
            ),
        ]
    return out


def _lead(o: OwnerStanding) -> str:
    """A lead's own rating for Appendix A: `MoJ AMBER`, `DHSC AMBER of 2024-06-01, awaited`, `HO awaited`."""
    if o.latest is None:
        return f"{o.shown} awaited"
    if o.stale:
        return f"{o.shown} {o.latest.rag.word} of {o.latest.date}, awaited"
    return f"{o.shown} {o.rag.word}"


def _appendices(data: Dataset, now: list[Standing]) -> list[Block]:
    rows: list[tuple[Line, ...]] = []
    for s in now:
        a = s.assessment
        board: Line = (
            (Mark(a.rag), f" {a.date}" + (f" (evidence {a.evidence_date})" if a.evidence_date else ""))
            if a is not None
            else ("none",)
        )
        # Each rating owner's own rating beside the combined one (the leads', unless all owners count).
        rating = [o for o in s.owners if o.role == "lead" or data.rating_owners == "all"]
        each = f" ({'; '.join(_lead(o) for o in rating)})" if len(rating) > 1 or s.awaiting else ""
        rows.append(
            (
                (s.rec.shown,),
                (plain(s.rec.section),),
                (plain(s.rec.title),),
                (Mark(s.departments_rag), each),
                board,
                (Mark(s.rag),),
                (str(s.target_date or "none"),),
            )
        )
    out: list[Block] = [
        Heading(2, f"Appendix A: {data.words.items} by section"),
        Table(
            ("#", "Section", data.words.item.capitalize(), data.words.owners.capitalize(), "Board", "Headline", "Target"),
            tuple(rows),
            "r",
        ),
        Heading(2, f"Appendix B: {data.words.items} by {data.words.owner}"),
    ]
    by_body: dict[str, list[tuple[Standing, OwnerStanding]]] = {}
    for s in now:
        for o in s.owners:
            by_body.setdefault(o.dept, []).append((s, o))
    rows = []
    for code in sorted(by_body, key=lambda c: data.registry.departments[c].name.casefold()):
        items = by_body[code]
        via = sorted({o.via for _, o in items if o.via})
        name = plain(data.registry.departments[code].name) + (f" (reports via {', '.join(via)})" if via else "")
        owns = "; ".join(
            f"{s.rec.shown} {o.role}" + (f" (from {o.named_as})" if o.named_as != code else "") + f" {o.rating_text}"
            for s, o in items
        )
        rows.append(((name,), (code,), (plain(owns),)))
    out.append(
        Table(("Body", "Code", f"{data.words.items.capitalize()}: role and rating"), tuple(rows))
    )  # in the order of the bodies' names
    return out


def dashboard(data: Dataset, trend: Sequence[tuple[date, list[Standing]]], now: list[Standing], earlier: int = 0) -> Dashboard:
    """The counts at each past board (or quarter's end), and today's by section, in the review's order."""
    sections: dict[str, Counts] = {}
    for s in now:
        key = s.rec.section
        if key not in sections:
            sections[key] = Counts(f"{plain(key)} {plain(s.rec.section_title)}", dict.fromkeys(Rating, 0))
        sections[key].counts[s.rag] += 1
    return Dashboard(
        "board meeting" if data.board.meetings else "quarter",
        tuple((when, summary(shown)) for when, shown in trend),
        tuple(sections.values()),
        earlier,
    )


def outcomes_section(
    framework: Framework, standings: OutcomeStandings, as_of: date, area: str | None = None
) -> tuple[str, list[Block]]:
    """The paper's outcomes: a sentence for the body of the paper, and for an appendix each measure's
    latest value against its baseline and target in one table, and (in Word and HTML) a small chart of
    each measure that has values. An appendix, so that the part before the appendices stays short."""
    from tracker.domain.outcomes import shown

    from .outcomes import change_words, target_words

    rows: list[tuple[Line, ...]] = []
    series: list[Series] = []
    judged: dict[str, int] = {}
    for outcome, measures in standings:
        for s in measures:
            m, latest = s.measure, s.latest
            numeric = m.target is not None and m.target.value is not None
            if numeric:
                judged[s.on_track] = judged.get(s.on_track, 0) + 1
            rows.append(
                (
                    (plain(outcome.name),),
                    (plain(m.name),),
                    (f"{shown(latest.value, m.unit)} ({latest.period})" if latest else "no value",),
                    (f"{shown(m.baseline.value, m.unit)} ({m.baseline.period})" if m.baseline else "none",),
                    (plain(target_words(s)),),
                    (change_words(s) if s.change is not None else "",),
                    (s.on_track if numeric else "",),
                    (s.trend(),),
                )
            )
            if s.values:
                points = tuple((v.period, v.value) for v in s.values)
                baseline = m.baseline.value if m.baseline else None
                target = m.target.value if m.target else None
                series.append(Series(plain(m.name), m.unit, points, baseline, target, m.target.by if m.target else None))
    valued = sum(1 for _, ms in standings for s in ms if s.values)
    when = f" ({long_date(framework.date)})" if framework.date else ""
    targets = sum(judged.values())
    verdicts = ", ".join(f"{n} {word}" for word, n in sorted(judged.items()))
    sentence = (
        f"{valued} of the outcomes framework's {len(rows)} measures have a value up to {long_date(as_of)};"
        f" {targets} {'has' if targets == 1 else 'have'} a numeric target" + (f" ({verdicts})." if targets else ".")
    )
    whose = f"{plain(area)}'s own figures for the measures" if area else "The measures"
    rule = (
        f"{whose} of the {plain(framework.title)}{when}, each against its baseline and target"
        + (" where the partnership has set one (England's are not theirs)." if area else ".")
        + " Change since baseline is better or worse by each measure's direction of good; a measure with a numeric target"
        " is on track when its latest value is at least where a straight line from baseline to target would be."
    )
    out: list[Block] = [Para((rule,))]
    out.append(Table(("Outcome", "Measure", "Latest", "Baseline", "Target", "Change", "On track", "Trend"), tuple(rows)))
    if series:
        out.append(MeasureCharts(tuple(series)))
    return sentence, out
