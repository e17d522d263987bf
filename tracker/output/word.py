"""The board paper as a Word document (python-docx, imported only here), for the board pack.

The same blocks as the markdown paper: the header block, real headings and tables, each rating
cell shaded in its colour with its shape and word in it, the dashboard's chart as a picture with
its words as alternative text, the appendices on landscape pages, and page numbers. The bytes
depend only on the paper and its date: the document's dates are the paper's, and every part of
the file carries the same fixed time.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tracker.domain.rating import Rating

from . import chart
from .document import (
    FILL,
    Appendices,
    Dashboard,
    Fields,
    Heading,
    Items,
    Line,
    Link,
    Mark,
    Paper,
    Para,
    Strong,
    Table,
    host,
    web,
)

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

# What XML 1.0 cannot hold and plain() leaves: surrogates and the two non-characters.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_INK = "0B0C0C"
_HEAD_FILL = "F3F2F1"
_FONT = "Arial"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _element(tag: str, **attributes: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _shade(properties: Any, fill: str) -> None:
    """Shading on a cell's or a run's properties (after what python-docx has put there)."""
    properties.append(_element("w:shd", val="clear", color="auto", fill=fill))


def _run(paragraph: Paragraph, text: str, bold: bool = False, ink: str | None = None, size: float | None = None) -> Any:
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(_text(text))
    if bold:
        run.bold = True
    if ink is not None:
        run.font.color.rgb = RGBColor.from_string(ink)
    if size is not None:
        run.font.size = Pt(size)
    return run


def _link(paragraph: Paragraph, url: str) -> None:
    """A link shown as its site; only http(s) targets are links, anything else is shown as text."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn

    target = web(url)
    if target is None:
        _run(paragraph, url.strip())
        return
    anchor = _element("w:hyperlink")
    anchor.set(qn("r:id"), paragraph.part.relate_to(target, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run = _element("w:r")
    properties = _element("w:rPr")
    properties.append(_element("w:color", val="1D70B8"))
    properties.append(_element("w:u", val="single"))
    run.append(properties)
    text = _element("w:t")
    text.text = _text(host(target))
    run.append(text)
    anchor.append(run)
    paragraph._p.append(anchor)


def _line(paragraph: Paragraph, pieces: Line, size: float | None = None) -> None:
    for piece in pieces:
        if isinstance(piece, Strong):
            _run(paragraph, piece.text, bold=True, size=size)
        elif isinstance(piece, Link):
            _link(paragraph, piece.url)
        elif isinstance(piece, Mark):
            fill, ink = FILL[piece.rating]
            run = _run(paragraph, piece.text, bold=True, ink=ink, size=size)
            _shade(run._r.get_or_add_rPr(), fill)
        else:
            _run(paragraph, piece, size=size)


def _fill(cell: _Cell, pieces: Line, right: bool = False, size: float | None = None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = cell.paragraphs[0]
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if len(pieces) == 1 and isinstance(pieces[0], Mark):  # a rating alone fills its cell with its colour
        r = pieces[0].rating
        _shade(cell._tc.get_or_add_tcPr(), FILL[r][0])
        _run(paragraph, pieces[0].text, bold=True, ink=FILL[r][1], size=size)
    else:
        _line(paragraph, pieces, size)


def _widths(headers: tuple[str, ...], rows: list[tuple[Line, ...]], room: int, size: float) -> list[int]:
    """Each column's width (EMU): wide enough for its longest word (a rating whole), and what is
    left shared in proportion to how much each column holds."""
    point = 12700

    def words(pieces: Line) -> list[str]:
        out: list[str] = []
        for p in pieces:
            out += [p.text] if isinstance(p, Mark) else (p if isinstance(p, str) else p[0]).split()
        return out

    def length(pieces: Line) -> int:
        return sum(len(w) + 1 for w in words(pieces))

    least, share = [], []
    for i, heading in enumerate(headers):
        longest = max((len(w) for w in (*heading.split(), *(w for row in rows for w in words(row[i])))), default=1)
        # Bold capitals, and the cell's margins; a longer word than 24 letters is broken by Word.
        least.append(int((min(longest, 24) * size * 0.66 + 12) * point))
        share.append(max(min(max((length(row[i]) for row in rows), default=0), 60) - longest, 0) + 1)  # what else it holds
    if sum(least) >= room:
        return [room * w // sum(least) for w in least]
    left = room - sum(least)
    return [w + left * s // sum(share) for w, s in zip(least, share, strict=True)]


def _grid(doc: Document, headers: tuple[str, ...], rows: list[tuple[Line, ...]], align: str, room: int, size: float) -> None:
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    widths = _widths(headers, rows, room, size)
    for i, width in enumerate(widths):
        table.columns[i].width = width
    right = [i < len(align) and align[i] == "r" for i in range(len(headers))]
    for r, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(_element("w:cantSplit"))
        if r == 0:
            properties.append(_element("w:tblHeader"))  # repeated at the top of each page
        for i, cell in enumerate(row.cells):
            cell.width = widths[i]
            if r == 0:
                _shade(cell._tc.get_or_add_tcPr(), _HEAD_FILL)
                _fill(cell, (Strong(headers[i]),), right[i], size)
            else:
                _fill(cell, rows[r - 1][i], right[i], size)


def _fields(doc: Document, block: Fields, room: int) -> None:
    table = doc.add_table(rows=len(block.rows), cols=2)
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    widths = [room * 3 // 10, room * 7 // 10]
    for i, width in enumerate(widths):
        table.columns[i].width = width
    for row, (label, value) in zip(table.rows, block.rows, strict=True):
        row.cells[0].width, row.cells[1].width = widths
        _shade(row.cells[0]._tc.get_or_add_tcPr(), _HEAD_FILL)
        _run(row.cells[0].paragraphs[0], label, bold=True)
        _line(row.cells[1].paragraphs[0], value)


def _dashboard(doc: Document, d: Dashboard, room: int) -> None:
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt, RGBColor

    doc.add_heading("Dashboard", level=1)
    picture = doc.add_picture(io.BytesIO(chart.png(d.trend)), width=room)
    picture._inline.docPr.set("descr", _text(chart.describe(d.trend, d.by, d.earlier)))
    picture._inline.docPr.set("name", "Headline ratings")
    caption = doc.add_paragraph()
    _run(caption, chart.describe(d.trend, d.by, d.earlier, every=False), size=8.5, ink="505A5F")
    when = d.trend[-1][0] if d.trend else None
    doc.add_heading(f"By section{f', on {when}' if when else ''}", level=2)
    marks = tuple(Mark(r).text for r in Rating)
    rows: list[tuple[Line, ...]] = [((row.label,), *((str(n),) for n in row.counts.values())) for row in d.sections]
    _grid(doc, ("Section", *marks), rows, "l" + "r" * len(marks), room, 7.5)
    # The counts shaded in their rating's colour where there are any: the table reads as a heat map.
    table = doc.tables[-1]
    for row, counts in zip(table.rows[1:], d.sections, strict=True):
        for cell, (r, n) in zip(row.cells[1:], counts.counts.items(), strict=True):
            for run in cell.paragraphs[0].runs:
                run.font.color.rgb = RGBColor.from_string(FILL[r][1] if n else "6F777B")
                run.bold = bool(n)
            if n:
                _shade(cell._tc.get_or_add_tcPr(), FILL[r][0])
    for row in table.rows:
        for cell in row.cells:
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _page_numbers(doc: Document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, "Page ")
    for i, field in enumerate(("PAGE", "NUMPAGES")):
        if i:
            _run(paragraph, " of ")
        simple = _element("w:fldSimple", instr=field)
        run = _element("w:r")
        text = _element("w:t")
        text.text = "1"
        run.append(text)
        simple.append(run)
        paragraph._p.append(simple)


def _styles(doc: Document) -> None:
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(10)
    for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 11.5)):
        style = doc.styles[name]
        style.font.name = _FONT
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor.from_string(_INK)
        style.font.bold = True
    # A style's theme fonts would otherwise win over the font set above.
    from docx.oxml.ns import qn

    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        fonts = doc.styles[name].element.rPr.rFonts
        for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{theme}"), None)
        fonts.set(qn("w:cs"), _FONT)


def _deterministic(data: bytes) -> bytes:
    """The package with every part at one fixed time, in the order written: the same paper, the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return buffer.getvalue()


def render(paper: Paper, as_of: date) -> bytes:
    """The paper as the bytes of a .docx file."""
    import docx
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm

    doc = docx.Document()
    _styles(doc)
    section = doc.sections[0]
    width, height, margin = Cm(21), Cm(29.7), Cm(2)  # A4
    section.page_width, section.page_height = width, height
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = margin
    room = width - 2 * margin
    when = datetime(as_of.year, as_of.month, as_of.day)
    properties = doc.core_properties
    properties.title = _text(paper.title)[:255]  # the most a document property holds
    properties.author = properties.last_modified_by = "tracker"
    properties.created = properties.modified = properties.last_printed = when
    properties.revision = 1
    properties.comments = properties.subject = properties.keywords = properties.category = ""
    _page_numbers(doc)
    doc.add_heading(_text(paper.title), level=0)
    dashboard = paper.dashboard
    for block in paper.blocks:
        if dashboard is not None and isinstance(block, Heading):  # after the header block, before the first section
            _dashboard(doc, dashboard, room)
            dashboard = None
        if isinstance(block, Heading):
            doc.add_heading(_text(block.text), level=block.level - 1)
        elif isinstance(block, Para):
            _line(doc.add_paragraph(), block.line)
        elif isinstance(block, Items):
            for item, more in block.items:
                paragraph = doc.add_paragraph(style="List Bullet")
                _line(paragraph, item)
                if more:
                    paragraph.add_run().add_break()
                    _line(paragraph, more)
        elif isinstance(block, Fields):
            _fields(doc, block, room)
        elif isinstance(block, Table):
            _grid(doc, block.headers, list(block.rows), block.align, room, 9)
            doc.add_paragraph()
        elif isinstance(block, Appendices):
            wide = doc.add_section(WD_SECTION.NEW_PAGE)
            wide.orientation = WD_ORIENT.LANDSCAPE
            wide.page_width, wide.page_height = height, width
            room = height - 2 * margin
    buffer = io.BytesIO()
    doc.save(buffer)
    return _deterministic(buffer.getvalue())
