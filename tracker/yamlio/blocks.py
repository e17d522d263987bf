"""Writing status files: returns as YAML blocks that any YAML reader reads back exactly.

Kept apart from the readers so that recording a return never loads PyYAML: a status file is
only ever appended to, and the blocks are plain text of a fixed form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from tracker.domain.corrections import Correction
from tracker.domain.rating import Rating
from tracker.domain.returns import Entry


def file_header(
    code: str,
    name: str,
    of: str = "the recommendations of Dame Carol Black's Review of drugs part two",
    owners: str = "departments",
) -> str:
    """The comment that opens a department's status file; or, for code "", the board's assessments.
    `of`: what the board follows, in its sources' words (Words.of)."""
    if not code:
        return (
            f"# The board's own assessments of {of}:\n"
            f"# its judgement of the evidence, beside the {owners}' returns in status/. One block per\n"
            "# assessment in the order they were made, newest last; never edited or removed (a later\n"
            "# assessment replaces an earlier one). Record one with `tracker assess N --rag R --summary S`,\n"
            "# or add a block by hand in the same form; `tracker check` validates this file.\n"
        )
    return (
        f"# Status returns from {code}: {name}.\n"
        f"# Its returns on {of},\n"
        "# one block per return in the order they were recorded, newest last.\n"
        f"# Record a return with `tracker update N --dept {code}`, or add a block by hand in the same\n"
        "# form; `tracker check` validates this file. Returns are never edited or removed once agreed.\n"
    )


_PLAIN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;()£%'’/-]*")
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9._~:/?&=%+,;@!$()*-]*[A-Za-z0-9/_=-]")
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_NOT_UTF8 = re.compile("[\ud800-\udfff]")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(value: str) -> str:
    """A text value written so that any YAML reader reads back exactly `value`."""
    # Most values are plain words or plain links, written as they are (neither can hold a surrogate).
    if _PLAIN_TEXT.fullmatch(value):
        if value[-1] != " " and (len(value) > 5 or value.casefold() not in _YAML11_WORDS):
            return value
    elif _PLAIN_URL.fullmatch(value):
        return value
    if not value.isascii() and _NOT_UTF8.search(value):  # checked long before this: it would make the file unreadable
        raise ValueError(f"not UTF-8 text: {value!r}")
    # A JSON string is a YAML double-quoted scalar; escape what YAML forbids raw.
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


def return_block(ret: Entry, author: str | None = None, refs: Mapping[int, str] | None = None) -> str:
    """One return as a block of a status file; an assessment (no dept) as one of assessments.yaml.
    `author`: its author as written already (_scalar), if known; `refs`: the items named by ref
    rather than number (Dataset.refs_written)."""
    # One format for the lines every block has: an import writes a great many blocks.
    dept = f"  dept: {ret.dept}\n" if ret.dept else ""
    evidence_date = f"  evidence_date: {ret.evidence_date}\n" if ret.evidence_date else ""
    text = (
        f"- recommendation: {refs.get(ret.recommendation, ret.recommendation) if refs else ret.recommendation}\n"
        f"{dept}"
        f"  date: {ret.date.isoformat()}\n"
        f"{evidence_date}"
        f"  rag: {_RAG[ret.rag]}\n"
        f"  summary: {_scalar(ret.summary)}\n"
        f"  author: {_scalar(ret.author) if author is None else author}\n"
    )
    if ret.evidence:
        text += "  evidence:\n" + "".join([f"    - {_scalar(url)}\n" for url in ret.evidence])
    if ret.target_date is not None:
        text += f"  target_date: {ret.target_date.isoformat()}\n"
    if ret.reason:
        text += f"  reason: {_scalar(ret.reason)}\n"
    return text


_RAG = {rating: rating.value for rating in Rating}


def correction_block(c: Correction, refs: Mapping[int, str] | None = None) -> str:
    """A correction as a block: the entry it names, then why, who and when, then any new values."""
    lines = [
        f"- {c.kind}:",
        f"    recommendation: {refs.get(c.recommendation, c.recommendation) if refs else c.recommendation}",
        f"    date: {c.of_date.isoformat()}",
        *([f"    line: {c.of_line}"] if c.of_line is not None else []),
        f"  why: {_scalar(c.why)}",
        f"  author: {_scalar(c.author)}",
        f"  date: {c.date.isoformat()}",
    ]
    if c.rag is not None:
        lines.append(f"  rag: {c.rag.value}")
    if c.summary is not None:
        lines.append(f"  summary: {_scalar(c.summary)}")
    if c.evidence is not None:
        lines.append("  evidence:" + ("" if c.evidence else " []"))
        lines.extend(f"    - {_scalar(url)}" for url in c.evidence)
    if c.target_date is not None:
        lines.append(f"  target_date: {c.target_date.isoformat()}")
    if c.reason is not None:
        lines.append(f"  reason: {_scalar(c.reason)}")
    if c.evidence_date is not None:
        lines.append(f"  evidence_date: {c.evidence_date}")
    return "\n".join(lines) + "\n"


def block(entry: Entry | Correction, refs: Mapping[int, str] | None = None) -> str:
    return correction_block(entry, refs) if isinstance(entry, Correction) else return_block(entry, refs=refs)


def blocks(entries: Iterable[Entry | Correction], refs: Mapping[int, str] | None = None) -> list[str]:
    """Each entry as its block; an import's many rows name the same few authors, each written once."""
    authors: dict[str, str] = {}
    written = []
    for entry in entries:
        if isinstance(entry, Correction):
            written.append(correction_block(entry, refs))
            continue
        author = authors.get(entry.author)
        if author is None:
            author = authors[entry.author] = _scalar(entry.author)
        written.append(return_block(entry, author, refs))
    return written


def addition(ends_with_newline: bool, newlines: int, blocks: list[str]) -> tuple[bytes, list[int]]:
    """The bytes that append `blocks` to a file holding `newlines` line ends, a blank line before each.

    Returns the bytes and the line each block starts on.
    """
    return _joined("" if ends_with_newline else "\n", newlines, blocks)


def _joined(before: str, newlines: int, blocks: list[str]) -> tuple[bytes, list[int]]:
    """`before` (empty, or ending with a line end), then `blocks`, a blank line before each, as
    UTF-8: made in one join and one encoding, however many blocks (an import writes megabytes);
    and the line each block starts on, `newlines` line ends coming before `before`."""
    line = newlines + before.count("\n") + 1  # the line the blocks' blank line is on
    lines = []
    for block in blocks:
        lines.append(line + 1)  # after the blank line
        line += 1 + block.count("\n")
    return "\n".join([before, *blocks]).encode("utf-8"), lines


def appended(existing: bytes | None, header: str, blocks: list[str]) -> tuple[bytes, list[int]]:
    """A status file's bytes with `blocks` added at its end (a new file starts with `header`).

    What is there already is kept byte for byte. Returns the bytes and the line each block starts on.
    """
    if existing is None and header.endswith("\n"):
        return _joined(header, 0, blocks)
    data = header.encode("utf-8") if existing is None else existing
    added, lines = addition(not data or data.endswith(b"\n"), data.count(b"\n"), blocks)
    return data + added, lines
