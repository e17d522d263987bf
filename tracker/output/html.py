"""The board paper as one self-contained HTML page for the board pack.

No script and nothing fetched (a Content-Security-Policy says so to the browser too): the style
and the chart (SVG) are in the page. It prints on A4, the appendices on landscape pages. Every
piece of text is escaped, and only http(s) links are links.
"""

from __future__ import annotations

import re
from html import escape

from tracker.domain.rating import Rating

from . import chart
from .document import (
    FILL,
    Appendices,
    Charts,
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
    Strong,
    Table,
    host,
    web,
)

_STYLE = """
:root { color-scheme: light; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #0b0c0c;
       max-width: 60em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 18pt; margin: 0 0 .6em; }
h2 { font-size: 14pt; margin: 1.4em 0 .5em; border-bottom: 1px solid #b1b4b6; padding-bottom: .15em; }
h3 { font-size: 12pt; margin: 1em 0 .4em; }
.measures figure { display: inline-block; width: 48%; margin: 0 1% .5em 0; }
table { border-collapse: collapse; margin: .4em 0 1em; width: 100%; }
th, td { border: 1px solid #b1b4b6; padding: .25em .45em; text-align: left; vertical-align: top; }
/* A word longer than the page breaks rather than running off it; in a table, only once its column
   has all the room it can get, so that no short code or date is split. */
p, li, table.fields td { overflow-wrap: anywhere; }
td, th { overflow-wrap: break-word; }
th { background: #f3f2f1; }
td.r, th.r { text-align: right; white-space: nowrap; }
table.fields { width: auto; }
table.fields th { font-weight: bold; padding-right: 1.5em; }
.nb { white-space: nowrap; }
.rag { font-weight: bold; white-space: nowrap; padding: 0 .3em; border-radius: 2px; }
td.rag { border-radius: 0; }
ul { padding-left: 1.4em; }
li { margin: .3em 0; }
li .words { display: block; margin-top: .15em; }
figure { margin: 0 0 1em; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 9.5pt; color: #505a5f; }
table.sections td, table.sections th { padding: .1em .4em; font-size: 9.5pt; }
table.sections th.r { width: 6.5em; white-space: nowrap; }
table.sections td.zero { color: #6f777b; }
a { color: #1d70b8; }
/* On a phone, a table of many columns is read a row at a time: each cell under its column's name. */
@media screen and (max-width: 600px) {
  table.stacks, table.stacks tbody, table.stacks tr, table.stacks td { display: block; width: auto; }
  table.stacks thead { display: none; }
  table.stacks tr { border: 1px solid #b1b4b6; margin: 0 0 .6em; }
  table.stacks td { border: none; border-bottom: 1px solid #f3f2f1; text-align: left; }
  table.stacks td::before { content: attr(data-label); display: block; font-size: 9pt; color: #505a5f; }
  table.stacks td.rag::before { color: inherit; font-weight: normal; }  /* on a rating's fill, in its text's colour */
  table.sections th, table.sections td { font-size: 8pt; padding: .1em .15em; }
  table.sections th.r { width: auto; white-space: normal; }
}
.marking { text-align: center; font-weight: bold; letter-spacing: .05em; margin: 0 0 .8em; }
.marking.end { margin: 1.5em 0 0; }
@page {
  size: A4; margin: 16mm 14mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt Arial, sans-serif; }
}
@page wide { size: A4 landscape; margin: 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h1 { font-size: 15pt; }
  table.fields th, table.fields td { padding: .1em .4em; }
  .dashboard { break-before: page; }
  .dashboard h2 { margin-top: .8em; }
  .dashboard figure svg { max-height: 66mm; }
  table.sections td, table.sections th { font-size: 7pt; padding: 0 .3em; line-height: 1.2; }
  .appendices { page: wide; break-before: page; }
  .appendices td, .appendices th { font-size: 8.5pt; padding: .1em .35em; }
  .marking { display: none; }  /* printed in every page's margin boxes instead */
  h2, h3 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""
_STYLE += "".join(f".rag.{r.value} {{ background: #{FILL[r][0]}; color: #{FILL[r][1]}; }}\n" for r in Rating)


_RIGHT = ' class="r"'
_ZERO = '<td class="r zero">0</td>'


def _inline(piece: Inline) -> str:
    if isinstance(piece, Strong):
        return f"<strong>{_dates(escape(piece.text))}</strong>"
    if isinstance(piece, Link):
        target = web(piece.url)
        if target is None:  # shown as the text it is
            return escape(piece.url.strip())
        return f'<a href="{escape(target)}">{escape(host(target))}</a>'
    if isinstance(piece, Mark):
        return f'<span class="rag {piece.rating.value}">{escape(piece.text)}</span>'
    return _dates(escape(piece))


_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def _dates(text: str) -> str:
    """Dates kept whole on one line: a browser would otherwise break one at its hyphens."""
    return _DATE.sub(r'<span class="nb">\1</span>', text)


def _line(pieces: Line) -> str:
    return "".join(_inline(p) for p in pieces)


def _cell(pieces: Line, right: bool, label: str) -> str:
    """A table's cell; `label`, its column's heading, heads it where a narrow screen stacks the row."""
    named = f' data-label="{escape(label)}"'
    if len(pieces) == 1 and isinstance(pieces[0], Mark):  # a rating alone fills its cell with its colour
        r = pieces[0].rating
        return f'<td class="rag {r.value}"{named}>{escape(Mark(r).text)}</td>'
    return f"<td{_RIGHT if right else ''}{named}>{_line(pieces)}</td>"


def _table(block: Table) -> list[str]:
    right = [i < len(block.align) and block.align[i] == "r" for i in range(len(block.headers))]
    head = "".join(f"<th{_RIGHT if r else ''}>{escape(h)}</th>" for h, r in zip(block.headers, right, strict=True))
    out = ['<table class="stacks">', f"<thead><tr>{head}</tr></thead>", "<tbody>"]
    out += [
        "<tr>" + "".join(_cell(c, r, h) for c, r, h in zip(row, right, block.headers, strict=True)) + "</tr>"
        for row in block.rows
    ]
    out += ["</tbody>", "</table>"]
    return out


def _dashboard(d: Dashboard) -> list[str]:
    when = d.trend[-1][0] if d.trend else None
    out = [
        '<section class="dashboard">',
        "<h2>Dashboard</h2>",
        "<figure>",
        chart.svg(d.trend, d.by, d.earlier),
        f"<figcaption>{escape(chart.describe(d.trend, d.by, d.earlier, every=False))}</figcaption>",
        "</figure>",
        f"<h3>By section{f', on {when}' if when else ''}</h3>",
        '<table class="sections">',
        "<thead><tr><th>Section</th>" + "".join(f'<th class="r">{escape(Mark(r).text)}</th>' for r in Rating) + "</tr></thead>",
        "<tbody>",
    ]
    for row in d.sections:
        cells = "".join(
            f'<td class="r rag {r.value}">{n}</td>' if n else '<td class="r zero">0</td>' for r, n in row.counts.items()
        )
        out.append(f"<tr><td>{escape(row.label)}</td>{cells}</tr>")
    out += ["</tbody>", "</table>", "</section>"]
    return out


def _css_text(text: str) -> str:
    """`text` as a CSS string: every character but letters, digits and spaces escaped, so nothing
    in it can end the string or the style sheet."""
    return '"' + "".join(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):x} " for ch in text) + '"'


def _marked(classification: str) -> str:
    """The classification at the top and bottom of every printed page (page margin boxes)."""
    box = f"content: {_css_text(classification.upper())}; font: bold 10pt Arial, sans-serif;"
    return f"@page {{ @top-center {{ {box} }} @bottom-center {{ {box} }} }}"


def render(paper: Paper) -> str:
    """The page: the same blocks as the markdown paper, the dashboard where the paper places it."""
    title = escape(paper.title)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_STYLE}{_marked(paper.classification) if paper.classification else ''}</style>",
        "</head>",
        "<body>",
        *([f'<p class="marking">{escape(paper.classification.upper())}</p>'] if paper.classification else []),
        f"<h1>{title}</h1>",
    ]
    dashboard = paper.dashboard
    closing = [f'<p class="marking end">{escape(paper.classification.upper())}</p>'] if paper.classification else []
    closing += ["</body>", "</html>"]
    for block in paper.blocks:
        if isinstance(block, Charts):
            out += _dashboard(dashboard) if dashboard is not None else []
        elif isinstance(block, Heading):
            out.append(f"<h{block.level}>{escape(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            out.append(f"<p>{_line(block.line)}</p>")
        elif isinstance(block, Items):
            out.append("<ul>")
            for item, more in block.items:
                words = f'<span class="words">{_line(more)}</span>' if more else ""
                out.append(f"<li>{_line(item)}{words}</li>")
            out.append("</ul>")
        elif isinstance(block, Fields):
            out.append('<table class="fields">')
            out += [f'<tr><th scope="row">{escape(label)}</th><td>{_line(value)}</td></tr>' for label, value in block.rows]
            out.append("</table>")
        elif isinstance(block, Table):
            out += _table(block)
        elif isinstance(block, MeasureCharts):
            out.append('<div class="measures">')
            out += [f"<figure>{chart.measure_svg(s, i)}</figure>" for i, s in enumerate(block.series, 1)]
            out.append("</div>")
        elif isinstance(block, Appendices):
            out.append('<div class="appendices">')
            closing.insert(0, "</div>")
    return "\n".join(out + closing) + "\n"
