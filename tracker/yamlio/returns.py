"""Reading status files, status/<CODE>.yaml: each a list of one department's returns; and the
board's assessments, assessments.yaml, a list of the same form without departments."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tracker.domain.corrections import KINDS, Correction
from tracker.domain.problem import Problem
from tracker.domain.rating import RATING_CHOICES, Rating
from tracker.domain.returns import ASSESSMENTS, FIELDS, Entry
from tracker.domain.values import excerpt
from tracker.errors import DataError

from .strict import Reader, compose, decode, peek_number

# In a status file every return says who recorded it.
_RETURN = {field: field not in ("evidence", "target_date", "reason") for field in FIELDS}
# The board's assessments (assessments.yaml) name no department and move no target date.
# An assessment of older evidence says when the evidence is from (a day, a month or a year).
_ASSESSMENT = {field: field != "evidence" for field in FIELDS if field not in ("dept", "target_date", "reason")}
_ASSESSMENT["evidence_date"] = False


class StatusFile(NamedTuple):
    returns: list[Entry]
    problems: list[Problem]
    # Whether a return can be added by appending a block: the file is empty, only comments, or a
    # block list at the left margin with nothing after it, its lines ended by \n alone. `[]`, a
    # flow list, an indented list, an explicit end of document (`...`) or CR line ends cannot take
    # one, and are rewritten whole instead.
    appendable: bool
    corrections: Sequence[Correction] = ()


def parse_status_file(raw: bytes, shown: str) -> tuple[list[Entry], list[Problem]]:
    """Read a department's status file: a list of returns. Raises DataError if unreadable."""
    status = read_status_file(raw, shown)
    return status.returns, status.problems


Part = Callable[[list[Entry], list[Correction]], None]
Refs = Callable[[str], "int | None"]


def read_status_file(raw: bytes, shown: str, each_part: Part | None = None, refs: Refs | None = None) -> StatusFile:
    """Read a department's status file: its returns, the rules they break, and whether it takes an appended block.

    With `each_part`, the returns and corrections are handed to it a part at a time as they are
    read, and not kept. `refs` gives the number of an item named by its ref (`CP-3`), in a
    workspace with sources beyond the review.
    """
    r = Reader(shown)
    r.refs = refs
    if (
        (raw.isascii() or _is_utf8(raw))
        and not _OTHER_BREAKS.search(raw)
        and not _NOT_AN_ITEM.search(raw)
        and not _TAB.search(raw)
    ):
        # Read as bytes, a part at a time: the file's text is never held whole.
        starts = [m.start() for m in _ITEM.finditer(raw)]
        # Before the first item, only comments and blank lines: an indented line there, or a character
        # YAML does not allow even in a comment, is read the careful way (which is never composed in parts).
        if starts and not _CONTINUED.search(raw, 0, starts[0]) and not _UNPRINTABLE.search(raw[: starts[0]].decode("utf-8")):
            read, corrected = _read_in_parts(r, raw, starts, shown, each_part)
            return StatusFile(read, r.problems, True, corrected)
    text = decode(raw, shown)
    try:
        root: Node | None = compose(text, shown)
    except DataError as e:
        if e.message != "the file is empty":
            raise
        root = None  # only comments so far: no returns yet
    returns: list[Entry] = []
    corrections: list[Correction] = []
    for node in r.sequence(root, "the file"):
        _entry(r, node, shown, returns, corrections)
    block_list = isinstance(root, SequenceNode) and not root.flow_style and root.start_mark.column == 0
    after = text if root is None else text[root.end_mark.index :]
    if each_part is not None:
        each_part(returns, corrections)
        returns, corrections = [], []
    # Lines are counted by \n when a block is appended: a file with other line breaks is rewritten.
    appendable = (root is None or block_list) and _only_comments(after) and not _BREAKS_NOT_LF.search(raw)
    return StatusFile(returns, r.problems, appendable, corrections)


def read_appended(raw: bytes, start: int, lines: int, shown: str, each_part: Part, refs: Refs | None = None) -> StatusFile | None:
    """Read only what was appended to a status file from byte `start` on, `lines` line ends into
    it, handing its returns and corrections to `each_part` a part at a time, as read_status_file
    does; None unless the bytes from `start` on are whole new items at the left margin (and
    comments) after a line end, in the form read a part at a time: anything else may change the
    meaning of what came before (a line indented under its last item), and the file is read whole.
    """
    tail = raw[start:]
    if start and raw[start - 1 : start] != b"\n":
        return None
    if not (tail.isascii() or _is_utf8(tail)) or _OTHER_BREAKS.search(tail) or _NOT_AN_ITEM.search(tail) or _TAB.search(tail):
        return None
    starts = [m.start() for m in _ITEM.finditer(tail)]
    head = starts[0] if starts else len(tail)
    if _CONTINUED.search(tail, 0, head) or _UNPRINTABLE.search(tail[:head].decode("utf-8")):
        return None
    r = Reader(shown)
    r.refs = refs
    if starts:
        _read_in_parts(r, tail, starts, shown, each_part, lines)
    return StatusFile([], r.problems, True)


# A status file as tracker writes it is a list at the left margin: every line there starts an item
# ("- "), is a comment or is blank. Such a file is read a few thousand returns at a time, so a
# file of any length is read in little memory: a line at the margin cannot be inside an item.
_NOT_AN_ITEM = re.compile(rb"^(?:[^-#\s]|-\S)", re.MULTILINE)
_ITEM = re.compile(rb"^-(?:[ \t]|$)", re.MULTILINE)
# Line breaks YAML knows besides \n (CR, NEL, U+2028, U+2029, in UTF-8): a file with any of them,
# or with a byte-order mark (its first line is not at the margin), is read whole, the careful way.
_OTHER_BREAKS = re.compile(rb"\r|\xc2\x85|\xe2\x80[\xa8\xa9]")
_BREAKS_NOT_LF = re.compile(rb"\r(?!\n)|\xc2\x85|\xe2\x80[\xa8\xa9]")  # CRLF still counts lines by \n
# What YAML allows nowhere in a file, not even in a comment.
_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A tab in a line's indentation, before a comment even: YAML readers differ on it, so it is read the careful way.
_TAB = re.compile(rb"^ *\t", re.MULTILINE)
# An indented line that is not a comment: before a file's first item it would belong to the item before.
_CONTINUED = re.compile(rb"^[ \t]+[^ \t\n#]", re.MULTILINE)
PART = 2000


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False  # read the careful way, which names the line
    return True


def _read_in_parts(
    r: Reader, raw: bytes, starts: list[int], shown: str, each_part: Part | None, lines: int = 0
) -> tuple[list[Entry], list[Correction]]:
    """Read `raw` a part at a time from the item starting at each of `starts`, `lines` line ends
    into its file."""
    returns: list[Entry] = []
    corrections: list[Correction] = []
    offset, counted = lines, 0
    for i in range(0, len(starts), PART):
        begin = starts[i]
        end = starts[i + PART] if i + PART < len(starts) else len(raw)
        offset += raw.count(b"\n", counted, begin)
        counted = begin
        r.part(offset)
        for node in r.sequence(compose(raw[begin:end], shown, offset), "the file"):
            _entry(r, node, shown, returns, corrections)
        if each_part is not None:
            each_part(returns, corrections)
            returns, corrections = [], []
    return returns, corrections


def _only_comments(text: str) -> bool:
    """Whether `text` holds nothing but blank lines and comments, for any of YAML's line breaks:
    an appended block after anything else (an explicit end `...`, a directive) would not be read."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _entry(r: Reader, node: Node, shown: str, returns: list[Entry], corrections: list[Correction]) -> None:
    """Read one item of the file: a return (or assessment), or a correction of an earlier one."""
    keys = {k.value for k, _ in node.value if isinstance(k, ScalarNode)} if isinstance(node, MappingNode) else set()
    if keys & set(KINDS):
        c = _correction(r, node, shown, "withdraw" if "withdraw" in keys else "correct")
        if c is not None:
            corrections.append(c)
        return
    ret = _return(r, node, shown)
    if ret is not None:
        returns.append(ret)


# A correction names the entry it changes by recommendation and date (and line, when several share
# them), says why, who recorded it and when; `correct` also gives the new values.
_REFERENCE = {"recommendation": True, "date": True, "line": False}
_CHANGED = {"rag": False, "summary": False, "evidence": False, "target_date": False, "reason": False, "evidence_date": False}


def _correction(r: Reader, node: Node, shown: str, kind: str) -> Correction | None:
    # The entry it names, so that problems found before its reference is read name its recommendation.
    ref_node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == kind), None)
    r.recommendation = peek_number(ref_node, "recommendation") if ref_node is not None else None
    other = "correct" if kind == "withdraw" else "withdraw"
    fields = {kind: True, "why": True, "author": True, "date": True} | (_CHANGED if kind == "correct" else {})
    f = r.mapping(node, f"a {kind}", fields | ({other: False} if other in {k.value for k, _ in node.value} else {}))
    if other in f:
        r.problem(f[other], other, "an entry either withdraws or corrects, not both")
    ref = r.mapping(f[kind], kind, _REFERENCE) if kind in f else {}
    r.recommendation = None
    number = r.item(ref.get("recommendation"), "recommendation")
    if isinstance(r.recommendation, str) or number is None:
        pass  # named by its ref
    else:
        r.recommendation = number
    of_date = r.date(ref.get("date"), "date")
    of_line = r.integer(ref.get("line"), "line") if "line" in ref else None
    why, author, day = r.text(f, "why"), r.text(f, "author"), r.date(f.get("date"), "date")
    rag_text = r.scalar(f.get("rag"), "rag") if "rag" in f else None
    rag = Rating.parse(rag_text) if rag_text is not None else None
    if rag_text is not None and rag is None:
        r.problem(f["rag"], "rag", f"{excerpt(rag_text)} is not a RAG rating: {RATING_CHOICES}")
        return None
    evidence = tuple(r.each(f.get("evidence"), "evidence", lambda n: r.url(n, "evidence"))) if "evidence" in f else None
    if number is None or of_date is None or why is None or author is None or day is None:
        return None
    return Correction(
        kind,
        number,
        of_date,
        of_line,
        why,
        author,
        day,
        rag,
        r.text(f, "summary") if "summary" in f else None,
        evidence,
        r.date(f.get("target_date"), "target_date") if "target_date" in f else None,
        r.text(f, "reason") if "reason" in f else None,
        shown,
        r.line(node),
        r.period(f.get("evidence_date"), "evidence_date") if "evidence_date" in f else None,
    )


def _return(r: Reader, node: Node, shown: str) -> Entry | None:
    r.recommendation = peek_number(node, "recommendation")
    board = shown == ASSESSMENTS
    f = r.mapping(node, "an assessment" if board else "a return", _ASSESSMENT if board else _RETURN)
    number = (
        r.integer(f.get("recommendation"), "recommendation")
        if r.refs is None
        else r.item(f.get("recommendation"), "recommendation")
    )
    rag_text = r.scalar(f.get("rag"), "rag")
    rag = Rating.parse(rag_text) if rag_text is not None else None
    if rag_text is not None and rag is None:
        r.problem(f["rag"], "rag", f"{excerpt(rag_text)} is not a RAG rating: {RATING_CHOICES}")
    dept, day = "" if board else r.text(f, "dept"), r.date(f.get("date"), "date")
    summary, author = r.text(f, "summary"), r.text(f, "author")
    evidence = tuple(r.each(f.get("evidence"), "evidence", lambda n: r.url(n, "evidence")))
    target_date = r.date(f.get("target_date"), "target_date")
    reason = r.text(f, "reason")
    evidence_date = r.period(f.get("evidence_date"), "evidence_date")
    if number is None or dept is None or day is None or rag is None or summary is None or author is None:
        return None
    return Entry(number, dept, day, rag, summary, author, evidence, target_date, reason, shown, r.line(node), evidence_date)
