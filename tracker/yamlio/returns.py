"""Reading status files, status/<CODE>.yaml: each a list of one department's returns; and the
board's assessments, assessments.yaml, a list of the same form without departments."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from yaml.nodes import Node, SequenceNode

from tracker.domain.problem import Problem
from tracker.domain.rating import RATING_CHOICES, Rating
from tracker.domain.returns import ASSESSMENTS, FIELDS, Return
from tracker.domain.values import excerpt
from tracker.errors import DataError

from .strict import Reader, compose, decode, peek_number

# In a status file every return says who recorded it.
_RETURN = {field: field not in ("evidence", "target_date", "reason") for field in FIELDS}
# The board's assessments (assessments.yaml) name no department and move no target date.
_ASSESSMENT = {field: field != "evidence" for field in FIELDS if field not in ("dept", "target_date", "reason")}


class StatusFile(NamedTuple):
    returns: list[Return]
    problems: list[Problem]
    # Whether a return can be added by appending a block: the file is empty, only comments, or a
    # block list at the left margin with nothing after it, its lines ended by \n alone. `[]`, a
    # flow list, an indented list, an explicit end of document (`...`) or CR line ends cannot take
    # one, and are rewritten whole instead.
    appendable: bool


def parse_status_file(raw: bytes, shown: str) -> tuple[list[Return], list[Problem]]:
    """Read a department's status file: a list of returns. Raises DataError if unreadable."""
    status = read_status_file(raw, shown)
    return status.returns, status.problems


def read_status_file(raw: bytes, shown: str, each_part: Callable[[list[Return]], None] | None = None) -> StatusFile:
    """Read a department's status file: its returns, the rules they break, and whether it takes an appended block.

    With `each_part`, the returns are handed to it a part at a time as they are read, and not kept.
    """
    r = Reader(shown)
    if (raw.isascii() or _is_utf8(raw)) and not _OTHER_BREAKS.search(raw) and not _NOT_AN_ITEM.search(raw):
        # Read as bytes, a part at a time: the file's text is never held whole.
        if starts := [m.start() for m in _ITEM.finditer(raw)]:
            return StatusFile(_read_in_parts(r, raw, starts, shown, each_part), r.problems, True)
    text = decode(raw, shown)
    try:
        root: Node | None = compose(text, shown)
    except DataError as e:
        if e.message != "the file is empty":
            raise
        root = None  # only comments so far: no returns yet
    returns: list[Return] = []
    for node in r.sequence(root, "the file"):
        ret = _return(r, node, shown)
        if ret is not None:
            returns.append(ret)
    block_list = isinstance(root, SequenceNode) and not root.flow_style and root.start_mark.column == 0
    after = text if root is None else text[root.end_mark.index :]
    if each_part is not None:
        each_part(returns)
        returns = []
    # Lines are counted by \n when a block is appended: a file with other line breaks is rewritten.
    appendable = (root is None or block_list) and _only_comments(after) and not _BREAKS_NOT_LF.search(raw)
    return StatusFile(returns, r.problems, appendable)


# A status file as tracker writes it is a list at the left margin: every line there starts an item
# ("- "), is a comment or is blank. Such a file is read a few thousand returns at a time, so a
# file of any length is read in little memory: a line at the margin cannot be inside an item.
_NOT_AN_ITEM = re.compile(rb"^(?:[^-#\s]|-\S)", re.MULTILINE)
_ITEM = re.compile(rb"^-(?:[ \t]|$)", re.MULTILINE)
# Line breaks YAML knows besides \n (CR, NEL, U+2028, U+2029, in UTF-8): a file with any of them,
# or with a byte-order mark (its first line is not at the margin), is read whole, the careful way.
_OTHER_BREAKS = re.compile(rb"\r|\xc2\x85|\xe2\x80[\xa8\xa9]")
_BREAKS_NOT_LF = re.compile(rb"\r(?!\n)|\xc2\x85|\xe2\x80[\xa8\xa9]")  # CRLF still counts lines by \n
PART = 2000


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False  # read the careful way, which names the line
    return True


def _read_in_parts(
    r: Reader, raw: bytes, starts: list[int], shown: str, each_part: Callable[[list[Return]], None] | None
) -> list[Return]:
    returns: list[Return] = []
    offset, counted = 0, 0
    for i in range(0, len(starts), PART):
        begin = starts[i]
        end = starts[i + PART] if i + PART < len(starts) else len(raw)
        offset += raw.count(b"\n", counted, begin)
        counted = begin
        r.part(offset)
        for node in r.sequence(compose(raw[begin:end], shown, offset), "the file"):
            ret = _return(r, node, shown)
            if ret is not None:
                returns.append(ret)
        if each_part is not None:
            each_part(returns)
            returns = []
    return returns


def _only_comments(text: str) -> bool:
    """Whether `text` holds nothing but blank lines and comments, for any of YAML's line breaks:
    an appended block after anything else (an explicit end `...`, a directive) would not be read."""
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _return(r: Reader, node: Node, shown: str) -> Return | None:
    r.recommendation = peek_number(node, "recommendation")
    board = shown == ASSESSMENTS
    f = r.mapping(node, "an assessment" if board else "a return", _ASSESSMENT if board else _RETURN)
    number = r.integer(f.get("recommendation"), "recommendation")
    rag_text = r.scalar(f.get("rag"), "rag")
    rag = Rating.parse(rag_text) if rag_text is not None else None
    if rag_text is not None and rag is None:
        r.problem(f["rag"], "rag", f"{excerpt(rag_text)} is not a RAG rating: {RATING_CHOICES}")
    dept, day = "" if board else r.text(f, "dept"), r.date(f.get("date"), "date")
    summary, author = r.text(f, "summary"), r.text(f, "author")
    evidence = tuple(r.each(f.get("evidence"), "evidence", lambda n: r.url(n, "evidence")))
    target_date = r.date(f.get("target_date"), "target_date")
    reason = r.text(f, "reason")
    if number is None or dept is None or day is None or rag is None or summary is None or author is None:
        return None
    return Return(number, dept, day, rag, summary, author, evidence, target_date, reason, shown, r.line(node))
