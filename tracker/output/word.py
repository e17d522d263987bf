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

# What XML 1.0 cannot hold and plain() leaves: surrogates and the two non-characters.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_INK = "0B0C0C"
_HEAD_FILL = "F3F2F1"
_FONT = "Arial"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


# The body is written as WordprocessingML text and parsed once a block: python-docx builds a
# document an element at a time, which costs more than the rest of the paper together. The XML is
# what python-docx's own calls would write (a test reads it back through python-docx).
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_SHADE = '<w:shd w:val="clear" w:color="auto" w:fill="{}"/>'


def _xml(value: str) -> str:
    from html import escape  # its five entities are XML's own

    return escape(_text(value))


def _run_xml(text: str, bold: bool = False, ink: str | None = None, size: float | None = None, fill: str | None = None) -> str:
    """A run of text, as python-docx's add_run writes it: tabs and line breaks as their elements."""
    properties = "<w:b/>" if bold else ""
    properties += f'<w:color w:val="{ink}"/>' if ink is not None else ""
    properties += f'<w:sz w:val="{round(size * 2)}"/>' if size is not None else ""
    properties += _SHADE.format(fill) if fill is not None else ""
    pieces = []
    for i, part in enumerate(_text(text).split("\n")):
        pieces += ["<w:br/>"] if i else []
        for j, words in enumerate(part.split("\t")):
            pieces += ["<w:tab/>"] if j else []
            pieces += [f'<w:t xml:space="preserve">{_xml(words)}</w:t>'] if words else []
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{''.join(pieces)}</w:r>"


def _link_xml(part: Any, url: str) -> str:
    """A link shown as its site; only http(s) targets are links, anything else is shown as text."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    target = web(url)
    if target is None:
        return _run_xml(url.strip())
    rid = part.relate_to(target, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    return (
        f'<w:hyperlink r:id="{rid}"><w:r><w:rPr><w:color w:val="1D70B8"/><w:u w:val="single"/></w:rPr>'
        f"<w:t>{_xml(host(target))}</w:t></w:r></w:hyperlink>"
    )


def _line_xml(part: Any, pieces: Line, size: float | None = None) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, Strong):
            out.append(_run_xml(piece.text, bold=True, size=size))
        elif isinstance(piece, Link):
            out.append(_link_xml(part, piece.url))
        elif isinstance(piece, Mark):
            fill, ink = FILL[piece.rating]
            out.append(_run_xml(piece.text, bold=True, ink=ink, size=size, fill=fill))
        else:
            out.append(_run_xml(piece, size=size))
    return "".join(out)


def _paragraph_xml(content: str, style: str | None = None, right: bool = False, tight: bool = False) -> str:
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    properties += '<w:spacing w:after="0"/>' if tight else ""
    properties += '<w:jc w:val="right"/>' if right else ""
    return f"<w:p>{f'<w:pPr>{properties}</w:pPr>' if properties else ''}{content}</w:p>"


def _add(doc: Document, xml: str) -> None:
    """Parse a block's XML and put it at the end of the body (before its last section's properties)."""
    from docx.oxml import parse_xml

    body = doc.element.body
    sections = body.sectPr
    for element in parse_xml(f"<w:body {_W} {_R}>{xml}</w:body>"):
        if sections is not None:
            sections.addprevious(element)
        else:
            body.append(element)


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


def _grid(
    doc: Document,
    headers: tuple[str, ...],
    rows: list[tuple[Line, ...]],
    align: str,
    room: int,
    size: float,
    heat: list[list[tuple[Rating, int]]] | None = None,
) -> None:
    """A table whose header row repeats on every page and whose rows never split; a rating alone in
    its cell fills the cell with its colour. `heat`: counts shown in their rating's colour, shaded
    where they are not zero (the dashboard's table by section)."""
    widths = [w // 635 for w in _widths(headers, rows, room, size)]  # EMU to twentieths of a point
    right = [i < len(align) and align[i] == "r" for i in range(len(headers))]
    part = doc.part
    out = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1"'
        ' w:val="04A0"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
    ]
    for r, row in enumerate([tuple((Strong(h),) for h in headers), *rows]):
        out.append(f"<w:tr><w:trPr><w:cantSplit/>{'<w:tblHeader/>' if r == 0 else ''}</w:trPr>")  # repeated on each page
        for i, pieces in enumerate(row):
            fill = _HEAD_FILL if r == 0 else None
            tight = heat is not None
            if heat is not None and r > 0 and i > 0:
                rating, n = heat[r - 1][i - 1]
                content = _run_xml(str(n), bold=bool(n), ink=FILL[rating][1] if n else "6F777B", size=size)
                fill = FILL[rating][0] if n else None
            elif r > 0 and len(pieces) == 1 and isinstance(pieces[0], Mark):  # a rating alone fills its cell
                rating = pieces[0].rating
                fill = FILL[rating][0]
                content = _run_xml(pieces[0].text, bold=True, ink=FILL[rating][1], size=size)
            else:
                content = _line_xml(part, pieces, size)
            shade = _SHADE.format(fill) if fill is not None else ""
            out.append(
                f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{widths[i]}"/>{shade}</w:tcPr>'
                f"{_paragraph_xml(content, right=right[i], tight=tight)}</w:tc>"
            )
        out.append("</w:tr>")
    out.append("</w:tbl>")
    _add(doc, "".join(out))


def _fields(doc: Document, block: Fields, room: int) -> None:
    widths = [room * 3 // 10 // 635, room * 7 // 10 // 635]
    part = doc.part
    out = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1"'
        f' w:val="04A0"/></w:tblPr><w:tblGrid><w:gridCol w:w="{widths[0]}"/><w:gridCol w:w="{widths[1]}"/></w:tblGrid>'
    ]
    for label, value in block.rows:
        out.append(
            f'<w:tr><w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{widths[0]}"/>{_SHADE.format(_HEAD_FILL)}</w:tcPr>'
            f"{_paragraph_xml(_run_xml(label, bold=True))}</w:tc>"
            f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{widths[1]}"/></w:tcPr>'
            f"{_paragraph_xml(_line_xml(part, value))}</w:tc></w:tr>"
        )
    out.append("</w:tbl>")
    _add(doc, "".join(out))


def _dashboard(doc: Document, d: Dashboard, room: int) -> None:
    _add(doc, _heading_xml("Dashboard", 1))
    picture = doc.add_picture(io.BytesIO(chart.png(d.trend)), width=room)
    picture._inline.docPr.set("descr", _text(chart.describe(d.trend, d.by, d.earlier)))
    picture._inline.docPr.set("name", "Headline ratings")
    caption = _run_xml(chart.describe(d.trend, d.by, d.earlier, every=False), size=8.5, ink="505A5F")
    when = d.trend[-1][0] if d.trend else None
    _add(doc, _paragraph_xml(caption) + _heading_xml(f"By section{f', on {when}' if when else ''}", 2))
    marks = tuple(Mark(r).text for r in Rating)
    rows: list[tuple[Line, ...]] = [((row.label,), *((str(n),) for n in row.counts.values())) for row in d.sections]
    # The counts shaded in their rating's colour where there are any: the table reads as a heat map.
    heat = [list(row.counts.items()) for row in d.sections]
    _grid(doc, ("Section", *marks), rows, "l" + "r" * len(marks), room, 7.5, heat)
    _add(doc, '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')


def _heading_xml(text: str, level: int) -> str:
    """A heading in Word's own style for its level (0: the title), as add_heading writes it."""
    return _paragraph_xml(_run_xml(text), "Title" if level == 0 else f"Heading{level}")


def _page_numbers(doc: Document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = doc.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fields = [f'<w:fldSimple w:instr="{field}"><w:r><w:t>1</w:t></w:r></w:fldSimple>' for field in ("PAGE", "NUMPAGES")]
    from docx.oxml import parse_xml

    for element in parse_xml(f"<w:p {_W}>{_run_xml('Page ')}{fields[0]}{_run_xml(' of ')}{fields[1]}</w:p>"):
        paragraph._p.append(element)


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
            fixed.external_attr = 0o644 << 16
            # The chart is a PNG, compressed already; the XML deflates well at the quickest level.
            stored = info.filename.startswith("word/media/")
            fixed.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename), compresslevel=None if stored else 1)
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
    _add(doc, _heading_xml(paper.title, 0))
    dashboard = paper.dashboard
    part = doc.part
    for block in paper.blocks:
        if dashboard is not None and isinstance(block, Heading):  # after the header block, before the first section
            _dashboard(doc, dashboard, room)
            dashboard = None
        if isinstance(block, Heading):
            _add(doc, _heading_xml(block.text, block.level - 1))
        elif isinstance(block, Para):
            _add(doc, _paragraph_xml(_line_xml(part, block.line)))
        elif isinstance(block, Items):
            items = []
            for item, more in block.items:
                content = _line_xml(part, item) + (f"<w:r><w:br/></w:r>{_line_xml(part, more)}" if more else "")
                items.append(_paragraph_xml(content, "ListBullet"))
            _add(doc, "".join(items))
        elif isinstance(block, Fields):
            _fields(doc, block, room)
        elif isinstance(block, Table):
            _grid(doc, block.headers, list(block.rows), block.align, room, 9)
            _add(doc, "<w:p/>")
        elif isinstance(block, Appendices):
            wide = doc.add_section(WD_SECTION.NEW_PAGE)
            wide.orientation = WD_ORIENT.LANDSCAPE
            wide.page_width, wide.page_height = height, width
            room = height - 2 * margin
    buffer = io.BytesIO()
    doc.save(buffer)
    return _deterministic(buffer.getvalue())
