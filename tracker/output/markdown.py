"""The board paper in markdown: renders on GitHub and converts cleanly with pandoc.

Every piece of text is escaped so that it is shown as the words it is: it cannot break a table,
start a list, inject HTML or restyle anything.
"""

from __future__ import annotations

import re

from .document import (
    Appendices,
    Charts,
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
    Strong,
    Table,
    host,
    plain,
    target,
)

_INLINE = re.compile(r"([\\`*_\[\]|~#])")


def escape(text: str) -> str:
    """Text (already one line) as literal markdown: HTML shown as text, markup characters escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _INLINE.sub(r"\\\1", text)


def md(text: object) -> str:
    """User text as literal markdown, on one line."""
    return escape(plain(text))


def link(url: str) -> str:
    """A link whose text is the site and whose target cannot escape the link or a table cell."""
    site = host(url)
    if not site:  # nothing a reader would recognise as a site: shown as text, not linked
        return md(url)
    # An entity in a link's destination is read as the character it names: & is escaped.
    return f"[{md(site)}]({target(url).replace('&', chr(92) + '&')})"


def _inline(piece: Inline) -> str:
    if isinstance(piece, Strong):
        return f"**{escape(piece.text)}**"
    if isinstance(piece, Link):
        return link(piece.url)
    if isinstance(piece, Mark):
        return f"{piece.rating.symbol} **{piece.rating.word}**"
    return escape(piece)


def line(pieces: Line) -> str:
    return "".join(_inline(p) for p in pieces)


# What would start a block at the head of a line: a list item (-, +, 1. or 1)), a rule (---, ***)
# or a heading's underline (===): the marker is escaped, so the line is the words it is.
_BLOCK_START = re.compile(r"^([ ]*)([-+=])|^([ ]*\d{1,9})([.)])")


def _starting(text: str) -> str:
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}", text)


def _table(headers: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    rule = ["---:" if i < len(align) and align[i] == "r" else "---" for i in range(len(headers))]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    out.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows)
    return out


def render(paper: Paper) -> str:
    """The paper as markdown. The dashboard is left out: its counts are in `tracker trend`."""
    out = [f"# {escape(paper.title)}", ""]
    for block in paper.blocks:
        if isinstance(block, Heading):
            out += [f"{'#' * block.level} {escape(block.text)}", ""]
        elif isinstance(block, Para):
            out += [_starting(line(block.line)), ""]
        elif isinstance(block, Items):
            for item, more in block.items:
                out.append(f"- {_starting(line(item))}")
                if more:
                    out.append(f"  {_starting(line(more))}")
            out.append("")
        elif isinstance(block, Fields):
            # A markdown table needs a header row: the block's first row heads it.
            rows = [[f"**{escape(label)}**", line(value)] for label, value in block.rows]
            out += [*_table(rows[0], rows[1:]), ""]
        elif isinstance(block, Table):
            out += [*_table(list(block.headers), [[line(c) for c in row] for row in block.rows], block.align), ""]
        elif isinstance(block, (Appendices, Charts, MeasureCharts)):  # the table says it all in markdown
            pass
    return "\n".join(out).rstrip("\n") + "\n"
