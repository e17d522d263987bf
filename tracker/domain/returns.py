"""A department's return on a recommendation: its rules, who may file it, and an owner's history."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import NamedTuple, TypeVar

from tracker.errors import DataError, NotFound, TrackerError

from .problem import Problem
from .rating import RATING_CHOICES, Rating, trend
from .recommendations import Dataset, Recommendation, owner_codes, owners_on
from .values import excerpt, is_url, not_utf8, parse_date, parse_period

# The fields of a return, the same in a status file, a CSV row and on the command line.
FIELDS = ("recommendation", "dept", "date", "rag", "summary", "author", "evidence", "target_date", "reason")
REQUIRED = ("recommendation", "dept", "date", "rag", "summary")
T = TypeVar("T")


ASSESSMENTS = "assessments.yaml"


def status_file(code: str) -> str:
    """Where a department's returns are kept, relative to the workspace; the board's assessments
    (code "") are in assessments.yaml."""
    return f"status/{code}.yaml" if code else ASSESSMENTS


def code_of_file(shown: str) -> str:
    """The department whose returns a file holds ("" for the board's assessments): status/<CODE>.yaml."""
    return "" if shown == ASSESSMENTS else shown.rsplit("/", 1)[-1].removesuffix(".yaml")


class Entry(NamedTuple):  # a named tuple: a long history or a large import holds a great many of these
    """An entry of the record: one department's return on one recommendation (in its status file)
    or, with no `dept`, the board's own assessment of it (in assessments.yaml, with no target date).
    Returns and assessments are both entries: dated, rated, summarised, corrected alike."""

    recommendation: int
    dept: str
    date: datetime.date
    rag: Rating
    summary: str
    author: str
    evidence: tuple[str, ...] = ()
    target_date: datetime.date | None = None
    reason: str | None = None
    file: str = ""
    line: int | None = None
    # An assessment's evidence may be older than the day the board assessed it (`date`): when the
    # evidence is from, as a day, a month or a year (YYYY-MM-DD, YYYY-MM, YYYY). None: from `date`.
    evidence_date: str | None = None

    @property
    def known(self) -> datetime.date:
        """From when the entry counts in a standing: its date, or, for an assessment of older
        evidence, the last day of the evidence's period (never after the day it was assessed). A
        paper as of an earlier date shows what was known then; "new since" follows `date`."""
        if self.evidence_date is None:
            return self.date
        return min(parse_period(self.evidence_date)[1], self.date)

    @property
    def is_assessment(self) -> bool:
        """The board's own assessment (in assessments.yaml), not a department's return."""
        return not self.dept

    def key(self) -> tuple[object, ...]:
        """What makes two returns the same return, wherever and by whomever they were written down."""
        return (
            self.recommendation, self.dept, self.date, self.rag, self.summary, self.evidence, self.target_date, self.reason,
            self.evidence_date,
        )  # fmt: skip


class FieldError(DataError):
    """A field of a return given as text (a CSV cell, a command-line option) that cannot be used."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def file_under(data: Dataset, rec: Recommendation, text: str, day: date) -> str:
    """The registry code a return from `text` on `rec` dated `day` is filed under.

    `text` may be a code, a name or a former name; a body merged or split before `day` files
    under the body that carries its work. Raises NotFound or DataError with the owners named.
    """
    owners = owner_codes(rec, data.registry, day)
    found = data.registry.resolve(text)
    if found is None:
        raise NotFound(f"unknown department {excerpt(text)}; {data.named(rec.number)} is owned by {', '.join(owners)}")
    code = data.registry.current(found.code, day).code
    if code not in owners:
        via = [o.dept for o in rec.owners if o.reports_via and data.registry.current(o.reports_via, day).code == code]
        if via:  # the department makes the returns of a body that cannot: they are filed as that body's
            raise DataError(f"{code} reports for {', '.join(via)} on {data.named(rec.number)}: give the return as {via[0]}'s")
        raise DataError(f"{code} does not own {data.named(rec.number)}; its owners on {day} are {', '.join(owners)}")
    return code


def check_text(text: str) -> str:
    """Text for the record, given at the command line: UTF-8, and not empty."""
    if (bad := not_utf8(text)) is not None:
        raise DataError(f"holds bytes that are not UTF-8 text ({bad}); give it in UTF-8")
    if not text.strip():
        raise DataError("is empty")
    return text.strip()


def parse_rating(text: str) -> Rating:
    rating = Rating.parse(text)
    if rating is None:
        raise DataError(f"{excerpt(text)} is not a RAG rating: {RATING_CHOICES}")
    return rating


@lru_cache(maxsize=4096)  # an import of many returns gives the same few hundred dates again and again
def text_date(text: str) -> date:
    """A date given as text at the command line or in a spreadsheet."""
    try:
        return parse_date(text)
    except ValueError:
        raise DataError(f"{excerpt(text)} is not a real date written YYYY-MM-DD") from None


def return_from_text(values: Mapping[str, str], evidence: Sequence[str], data: Dataset, today: date) -> Entry:
    """A return from the text of its fields (the command line's options), checked.

    A missing optional field is "". Without "dept", it is the board's assessment. Raises
    FieldError naming the first field that breaks a rule.
    """
    get = values.get
    entry = entry_from_text(
        values["recommendation"], get("dept"), values["date"], values["rag"], get("summary", ""), get("author", ""),
        evidence, get("target_date", ""), get("reason", ""), data, today,
    )  # fmt: skip
    if (when := get("evidence_date", "").strip()) and entry.is_assessment:
        try:
            parse_period(when)
        except ValueError as e:
            raise FieldError("evidence_date", str(e)) from None
        entry = entry._replace(evidence_date=when)
        if problems := check_return(entry, data, today):
            raise FieldError(problems[0].field or "evidence_date", problems[0].message)
    return entry


_TEXT_FIELDS = ("recommendation", "dept", "date", "rag", "summary", "author", "target_date", "reason")


def entry_from_text(
    number_text: str,
    dept_text: str | None,
    date_text: str,
    rag_text: str,
    summary: str,
    author: str,
    evidence: Sequence[str],
    target_text: str,
    reason_text: str,
    data: Dataset,
    today: date,
) -> Entry:
    """return_from_text, its fields given one by one (a dept of None: the board's assessment).
    Raises FieldError naming the first field that breaks a rule."""
    return EntryReader(data, today)(
        number_text, dept_text, date_text, rag_text, summary, author, evidence, target_text, reason_text
    )


class EntryReader:
    """entry_from_text for many entries against the same data on the same day, as an import reads
    its rows: what rows say again and again (a recommendation's number, a department as written on
    it in an era of the registry, a rating as written) is worked out once."""

    def __init__(self, data: Dataset, today: date) -> None:
        self.data, self.today = data, today
        self._recs: dict[str, Recommendation] = {}
        self._codes: dict[tuple[int, str, int], str] = {}  # (recommendation, dept as written, era): its code
        self._ratings: dict[str, Rating] = {}
        self._days: dict[str, tuple[date, int]] = {}  # a date as written: the day, and its era of the registry
        self._files: dict[str, str] = {}

    def __call__(
        self,
        number_text: str,
        dept_text: str | None,
        date_text: str,
        rag_text: str,
        summary: str,
        author: str,
        evidence: Sequence[str],
        target_text: str,
        reason_text: str,
    ) -> Entry:
        data = self.data
        texts = (number_text, dept_text or "", date_text, rag_text, summary, author, target_text, reason_text)
        joined = "".join([*texts, *evidence])
        if not joined.isascii():  # then look for what is not UTF-8, and say which field
            for field, value in [*zip(_TEXT_FIELDS, texts, strict=True), *(("evidence", url) for url in evidence)]:
                if (bad := not_utf8(value)) is not None:
                    raise FieldError(field, f"holds bytes that are not UTF-8 text ({bad}); give it in UTF-8")
        if "\x00" in joined:  # no CSV on Python 3.10, nor any spreadsheet, can hold it: export could not write it
            field = next(f for f, v in [*zip(_TEXT_FIELDS, texts, strict=True), ("evidence", " ".join(evidence))] if "\x00" in v)
            raise FieldError(field, "holds a NUL character (\\0), which no spreadsheet can hold; leave it out")
        rec = self._recs.get(number_text)
        if rec is None:
            rec = self._recs[number_text] = _recommendation(number_text, data)
        # Each field read in turn, in a block of its own (an import reads many: no call more than it needs).
        known = self._days.get(date_text)
        if known is None:
            try:
                day = text_date(date_text)
            except TrackerError as e:
                raise FieldError("date", e.message) from None
            known = self._days[date_text] = (day, data.registry.era(day))
        day, era = known
        if dept_text is None:  # the board's own assessment
            code = ""
        else:
            key = (rec.number, dept_text, era)
            code = self._codes.get(key, "")
            if not code:
                try:
                    code = self._codes[key] = file_under(data, rec, dept_text, day)
                except TrackerError as e:
                    raise FieldError("dept", e.message) from None
        rag = self._ratings.get(rag_text)
        if rag is None:
            try:
                rag = self._ratings[rag_text] = parse_rating(rag_text)
            except TrackerError as e:
                raise FieldError("rag", e.message) from None
        summary, author = summary.strip(), author.strip()
        if not summary:
            raise FieldError("summary", "is empty; say what has been done")
        if not author:
            raise FieldError("author", "is empty")
        links = tuple([url.strip() for url in evidence])
        for url in links:
            if not is_url(url):
                raise FieldError("evidence", f"{excerpt(url)} is not an http(s) URL")
        try:
            target = text_date(target_text) if target_text and not target_text.isspace() else None
        except TrackerError as e:
            raise FieldError("target_date", e.message) from None
        file = self._files.get(code)
        if file is None:
            file = self._files[code] = status_file(code)
        new = Entry(rec.number, code, day, rag, summary, author, links, target, reason_text.strip() or None, file)
        problems = check_return(new, data, self.today)
        if problems:
            raise FieldError(problems[0].field or "date", problems[0].message)
        return new


def _recommendation(number_text: str, data: Dataset) -> Recommendation:
    """The recommendation a field's text names; FieldError if it names none."""
    number_text = number_text.strip()
    if data.several:  # an item named by its ref, CP-3 or R12 (or 12: the review's)
        rec = data.find_ref(number_text)
        if rec is None:
            raise FieldError("recommendation", f"{excerpt(number_text)} names no item of any source")
        source = data.source_of(rec)
        if not source.follow:
            raise FieldError(
                "recommendation",
                f"{rec.shown} is kept for reference (follow: false in {source.file}): no returns or assessments are"
                " recorded on it; its standing is rolled up from the items that deliver it",
            )
        return rec
    if not (number_text.isascii() and number_text.isdigit() and len(number_text) <= 9):
        raise FieldError("recommendation", f"{excerpt(number_text)} is not a recommendation number")
    rec = data.find(int(number_text))
    if rec is None:
        raise FieldError("recommendation", f"there is no recommendation {int(number_text)}")
    return rec


def check_return(ret: Entry, data: Dataset, today: date | None = None) -> list[Problem]:
    """The rules one return must keep, whatever file it is in. `today` also rules out future dates."""
    number, dept, day, _, _, _, _, target, reason, file, line, evidence_date = ret  # read once: every return loaded is checked
    problems: list[Problem] = []
    rec = data.find(number)
    number_ = data.label(number) if data.several else number  # how a problem names it (worded only for one)
    if rec is None:
        problems.append(Problem(file, line, f"there is no recommendation {number}", number, "recommendation"))
    if rec is not None and data.several and not data.source_of(rec).follow:
        kept = data.source_of(rec).file
        message = f"{rec.shown} is kept for reference (follow: false in {kept}): no return or assessment is recorded on it"
        problems.append(Problem(file, line, message, number_, "recommendation"))
    if not dept:
        pass  # the board's own assessment: no department files it
    elif dept not in data.registry.departments:
        problems.append(Problem(file, line, f"{excerpt(dept)} is not in the department registry", number_, "dept"))
    elif rec is not None and dept not in (owners := owner_codes(rec, data.registry, day)):
        message = f"{dept} does not own {data.named(number)} (owners on {day}: {', '.join(owners)})"
        problems.append(Problem(file, line, message, number_, "dept"))
    elif rec is not None and target is not None and dept not in owner_codes(rec, data.registry, day, ("lead",)):
        message = f"only a lead moves the target date; {dept} supports {data.named(number)}"
        problems.append(Problem(file, line, message, number_, "target_date"))
    source = data.source_of(rec) if rec is not None and data.several else data.review_source
    if day < source.published:
        what = "the review" if source.key == "review" else f"the {source.kind}"
        message = f"{day} is before {what} was published ({source.published})"
        problems.append(Problem(file, line, message, number_, "date"))
    if today is not None and day > today:
        problems.append(Problem(file, line, f"{day} is in the future", number_, "date"))
    if evidence_date is not None and parse_period(evidence_date)[0] > day:
        message = f"the evidence's date {evidence_date} is after the day it was assessed, {day}"
        problems.append(Problem(file, line, message, number_, "evidence_date"))
    if target is not None:
        if target < day:
            message = f"the revised target date {target} is before the return's own date {day}"
            problems.append(Problem(file, line, message, number_, "target_date"))
        if not reason:
            problems.append(Problem(file, line, "a revised target date needs a reason", number_, "reason"))
    elif reason:
        problems.append(Problem(file, line, "a reason is given but no revised target date", number_, "target_date"))
    return problems


class StatusFileCheck:
    """Every rule for the returns in one department's file, status/<file_code>.yaml, given part by part.

    The returns seen so far are remembered by a hash of what makes them the same (Entry.key) and
    their line, not kept: `earlier(line)` gives back the return on a line when two hashes meet, so
    a file of any length is checked in little memory.
    """

    def __init__(
        self, file: str, file_code: str, data: Dataset, today: date | None, earlier: Callable[[int], Entry | None]
    ) -> None:
        self.file_code, self.data, self.today, self.earlier = file_code, data, today, earlier
        self.seen: dict[int, int | list[int]] = {}
        self.problems: list[Problem] = []
        if file_code and file_code not in data.registry.departments:
            message = f"{file_code} is not a department code in the registry; name the file after one"
            self.problems.append(Problem(file, None, message))

    def check(self, returns: Iterable[Entry]) -> None:
        data, file_code = self.data, self.file_code
        for ret in returns:
            self.problems.extend(check_return(ret, data, self.today))
            if ret.dept != file_code and file_code in data.registry.departments:
                message = f"a return from {ret.dept} is in {file_code}'s file; move it to {status_file(ret.dept)}"
                self.problems.append(Problem(ret.file, ret.line, message, data.label(ret.recommendation), "dept"))
            key = ret.key()
            seen = self.seen.get(hash(key))
            lines = [] if seen is None else [seen] if isinstance(seen, int) else seen
            first = next((r for line in lines if (r := self.earlier(line)) is not None and r.key() == key), None)
            if first is not None:
                self.problems.append(recorded_twice(ret, first.line or 0, data))
            elif ret.line is not None:  # one line per hash, a list only when two different returns share one
                self.seen[hash(key)] = ret.line if seen is None else [*lines, ret.line]


def recorded_twice(ret: Entry, first: int, data: Dataset | None = None) -> Problem:
    """The rule that a file holds each return once, broken by `ret`, first recorded on line `first`."""
    label = data.label(ret.recommendation) if data is not None else ret.recommendation
    return Problem(ret.file, ret.line, f"the same return is recorded twice (first on line {first})", label)


def check_status_file(returns: Sequence[Entry], file_code: str, data: Dataset, today: date | None = None) -> list[Problem]:
    """Every rule for the returns in one department's file, status/<file_code>.yaml."""
    by_line = {r.line: r for r in returns if r.line is not None}
    check = StatusFileCheck(returns[0].file if returns else status_file(file_code), file_code, data, today, by_line.get)
    check.check(returns)
    return check.problems


def newest_first(returns: Iterable[Entry]) -> list[Entry]:
    """The latest-return rule: the latest date wins; of two on one date, the one recorded later.

    "Recorded later" is later in its file (by line), or later in `returns` where lines are unknown.
    """
    if not isinstance(returns, (list, tuple)):
        returns = list(returns)
    if len(returns) < 2:  # nothing to order (most owners, on most dates, have one return or none)
        return list(returns)
    ordered = sorted(enumerate(returns), key=lambda p: (p[1].known, p[1].file, p[1].line or 0, p[0]), reverse=True)
    return [ret for _, ret in ordered]


class HistoryEntry(NamedTuple):
    """A return in an owner's history, with the rating it replaced."""

    ret: Entry
    previous: Rating | None
    trend: str | None  # better, worse, same; None for a first return


def history(returns: Iterable[Entry]) -> list[HistoryEntry]:
    """One owner's returns newest first, each with its change from the one before."""
    ordered = newest_first(returns)
    entries = []
    for i, ret in enumerate(ordered):
        before = ordered[i + 1].rag if i + 1 < len(ordered) else None
        entries.append(HistoryEntry(ret, before, trend(before, ret.rag)))
    return entries


def history_by_owner(
    rec: Recommendation, data: Dataset, returns: Iterable[Entry], today: date
) -> list[tuple[str, list[HistoryEntry]]]:
    """Each owner of `rec`, by today's code, with its history of returns newest first.

    Returns filed under a body that has since merged count as its successor's.
    """
    groups: dict[str, list[Entry]] = {code: [] for code in owners_on(rec, data.registry, today)}
    for ret in returns:
        if ret.recommendation == rec.number:
            groups.setdefault(_carried_by(data, ret.dept, today), []).append(ret)
    return [(code, history(group)) for code, group in groups.items()]


def _carried_by(data: Dataset, code: str, today: date) -> str:
    """The code whose returns those filed under `code` count as today: its successor's, after a merger."""
    return data.registry.current(code, today).code if code in data.registry.departments else code


class OwnerHistory(NamedTuple):
    """An owner's returns on a recommendation, newest first: all of them, or the newest few."""

    code: str  # today's code
    entries: list[HistoryEntry]
    made: int  # how many returns it has made: more than len(entries) when only the newest are given

    @property
    def earlier(self) -> int:
        """How many older returns are not given."""
        return self.made - len(self.entries)


def owner_histories(
    rec: Recommendation,
    data: Dataset,
    returns: Iterable[Entry],
    today: date,
    made: Mapping[str, int] | None = None,
    newest: int | None = None,
) -> list[OwnerHistory]:
    """Each owner's history (history_by_owner), or with `newest` only its newest that many returns;
    `returns` must then hold at least one more of each owner's, for the rating the oldest replaced.
    `made`: how many returns have been filed under each code in all (default: those in `returns`)."""
    histories = history_by_owner(rec, data, returns, today)
    if made is None:
        return [OwnerHistory(code, entries[:newest], len(entries)) for code, entries in histories]
    counted: dict[str, int] = {}
    for code, n in made.items():
        if code:  # "": the board's assessments
            owner = _carried_by(data, code, today)
            counted[owner] = counted.get(owner, 0) + n
    return [OwnerHistory(code, entries[:newest], counted.get(code, 0)) for code, entries in histories]
