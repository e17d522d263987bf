"""The board paper as a Word document, for the board pack: written as the .docx package itself.

The same blocks as the markdown paper: the header block, real headings and tables, each rating
cell shaded in its colour with its shape and word in it, the dashboard's chart as a picture with
its words as alternative text, the appendices on landscape pages, and page numbers. The document
is WordprocessingML text written here into a zip with the standard library; its styles, bullet and
settings are tracker's template parts (tracker/data/word/, trimmed from python-docx's default
template). python-docx reads it back in the tests, not here: importing it would cost more than the
rest of the paper. The bytes depend only on the paper and its date: the document's dates are the
paper's, and every part of the file carries the same fixed time, in the same order.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date

from tracker.domain.rating import Rating

from . import chart
from .document import (
    FILL,
    Appendices,
    Charts,
    Dashboard,
    Fields,
    Heading,
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

# What XML 1.0 cannot hold and plain() leaves: control characters, surrogates and the two non-characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HEAD_FILL = "F3F2F1"
_SHADE = '<w:shd w:val="clear" w:color="auto" w:fill="{}"/>'
# Lengths: EMU (914,400 to the inch) for the picture and the column widths, twentieths of a point in the XML.
_CM = 360000
_TWIP = 635
_WIDTH, _HEIGHT, _MARGIN = 21 * _CM, 297 * _CM // 10, 2 * _CM  # A4, 2 cm margins

_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NAMESPACES = (
    f'xmlns:w="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"'
    ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
    ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    ' xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_LINK = f"{_RELATIONSHIPS}/hyperlink"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OFFICE = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_TEMPLATE = ("styles.xml", "numbering.xml", "settings.xml")  # tracker/data/word/: the same in every paper


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _xml(value: str) -> str:
    """Text as XML character data or a double-quoted attribute's value: what XML cannot hold left out."""
    value = _text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    # In an attribute a line break or tab would be read back as a space: kept as the character it is.
    return value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


class _Links:
    """The document's relationships to the web pages it links to, one for each target, numbered after `first`."""

    def __init__(self, first: int) -> None:
        self.first = first
        self.ids: dict[str, str] = {}

    def id(self, target: str) -> str:
        return self.ids.setdefault(target, f"rId{self.first + len(self.ids)}")


def _run_xml(text: str, bold: bool = False, ink: str | None = None, size: float | None = None, fill: str | None = None) -> str:
    """A run of text: tabs and line breaks as their elements."""
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


def _link_xml(links: _Links, url: str) -> str:
    """A link shown as its site; only http(s) targets are links, anything else is shown as text."""
    target = web(url)
    if target is None:
        return _run_xml(url.strip())
    return (
        f'<w:hyperlink r:id="{links.id(target)}"><w:r><w:rPr><w:color w:val="1D70B8"/><w:u w:val="single"/></w:rPr>'
        f"<w:t>{_xml(host(target))}</w:t></w:r></w:hyperlink>"
    )


def _line_xml(links: _Links, pieces: Line, size: float | None = None) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, Strong):
            out.append(_run_xml(piece.text, bold=True, size=size))
        elif isinstance(piece, Link):
            out.append(_link_xml(links, piece.url))
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


_TABLE = (
    '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:tblLayout w:type="fixed"/>'
    '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1"'
    ' w:val="04A0"/></w:tblPr><w:tblGrid>'
)


def _grid(
    links: _Links,
    headers: tuple[str, ...],
    rows: list[tuple[Line, ...]],
    align: str,
    room: int,
    size: float,
    heat: list[list[tuple[Rating, int]]] | None = None,
) -> str:
    """A table whose header row repeats on every page and whose rows never split; a rating alone in
    its cell fills the cell with its colour. `heat`: counts shown in their rating's colour, shaded
    where they are not zero (the dashboard's table by section)."""
    widths = [w // _TWIP for w in _widths(headers, rows, room, size)]
    right = [i < len(align) and align[i] == "r" for i in range(len(headers))]
    out = [_TABLE, *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>"]
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
                content = _line_xml(links, pieces, size)
            shade = _SHADE.format(fill) if fill is not None else ""
            out.append(
                f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{widths[i]}"/>{shade}</w:tcPr>'
                f"{_paragraph_xml(content, right=right[i], tight=tight)}</w:tc>"
            )
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _fields(links: _Links, block: Fields, room: int) -> str:
    widths = [room * 3 // 10 // _TWIP, room * 7 // 10 // _TWIP]
    out = [_TABLE, f'<w:gridCol w:w="{widths[0]}"/><w:gridCol w:w="{widths[1]}"/></w:tblGrid>']
    for label, value in block.rows:
        out.append(
            f'<w:tr><w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{widths[0]}"/>{_SHADE.format(_HEAD_FILL)}</w:tcPr>'
            f"{_paragraph_xml(_run_xml(label, bold=True))}</w:tc>"
            f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{widths[1]}"/></w:tcPr>'
            f"{_paragraph_xml(_line_xml(links, value))}</w:tc></w:tr>"
        )
    out.append("</w:tbl>")
    return "".join(out)


def _picture_xml(png: bytes, rid: str, width: int, name: str, words: str, pid: int = 1) -> str:
    """The picture inline, `width` EMU wide and as high as its proportions make it, with its alternative text."""
    across, down = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG's IHDR
    height = round(width * down / across)
    return (
        f'<w:p><w:r><w:drawing><wp:inline><wp:extent cx="{width}" cy="{height}"/>'
        f'<wp:docPr id="{pid}" name="{_xml(name)}" descr="{_xml(words)}"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
        '<pic:nvPicPr><pic:cNvPr id="0" name="image.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{width}" cy="{height}"/></a:xfrm><a:prstGeom prst="rect"/>'
        "</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )


def _dashboard(links: _Links, d: Dashboard, png: bytes, rid: str, room: int) -> str:
    words = chart.describe(d.trend, d.by, d.earlier)
    caption = _run_xml(chart.describe(d.trend, d.by, d.earlier, every=False), size=8.5, ink="505A5F")
    when = d.trend[-1][0] if d.trend else None
    marks = tuple(Mark(r).text for r in Rating)
    rows: list[tuple[Line, ...]] = [((row.label,), *((str(n),) for n in row.counts.values())) for row in d.sections]
    # The counts shaded in their rating's colour where there are any: the table reads as a heat map.
    heat = [list(row.counts.items()) for row in d.sections]
    return "".join(
        (
            '<w:p><w:r><w:br w:type="page"/></w:r></w:p>',  # page one is the signal; the chart opens page two
            _heading_xml("Dashboard", 1),
            _picture_xml(png, rid, room, "Headline ratings", words),
            _paragraph_xml(caption),
            _heading_xml(f"By section{f', on {when}' if when else ''}", 2),
            _grid(links, ("Section", *marks), rows, "l" + "r" * len(marks), room, 7.5, heat),
        )
    )


def _heading_xml(text: str, level: int) -> str:
    """A heading in Word's own style for its level (0: the title)."""
    return _paragraph_xml(_run_xml(text), "Title" if level == 0 else f"Heading{level}")


def _section_xml(wide: bool, footer: str | None, header: str | None = None) -> str:
    """A section's pages: A4, portrait or landscape, 2 cm margins; a section with no header or footer
    of its own keeps the last one's."""
    across, down, margin = (
        round(length / _TWIP) for length in ((_HEIGHT, _WIDTH, _MARGIN) if wide else (_WIDTH, _HEIGHT, _MARGIN))
    )
    reference = f'<w:headerReference w:type="default" r:id="{header}"/>' if header else ""
    reference += f'<w:footerReference w:type="default" r:id="{footer}"/>' if footer else ""
    orientation = ' w:orient="landscape"' if wide else ""
    return (
        f'<w:sectPr>{reference}<w:pgSz w:w="{across}" w:h="{down}"{orientation}/>'
        f'<w:pgMar w:top="{margin}" w:right="{margin}" w:bottom="{margin}" w:left="{margin}" w:header="720" w:footer="720"'
        ' w:gutter="0"/><w:cols w:space="720"/><w:docGrid w:linePitch="360"/></w:sectPr>'
    )


def _marking(classification: str) -> str:
    """The security classification as the Government Security Classifications mark a page: centred,
    in bold capitals."""
    return f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr>{_run_xml(classification.upper(), bold=True)}</w:p>'


def _header(classification: str) -> str:
    return f'<w:hdr xmlns:w="{_MAIN}">{_marking(classification)}</w:hdr>'


def _footer(classification: str | None) -> str:
    """Page X of Y, above the classification when there is one."""
    return (
        f'<w:ftr xmlns:w="{_MAIN}"><w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>'
        + _run_xml("Page ")
        + '<w:fldSimple w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        + _run_xml(" of ")
        + '<w:fldSimple w:instr="NUMPAGES"><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>'
        + (_marking(classification) if classification else "")
        + "</w:ftr>"
    )


def _body(paper: Paper, links: _Links, png: bytes | None, measures: Sequence[bytes] = ()) -> str:
    header = "rId6" if paper.classification else None
    """The document's body: the title, the blocks (the dashboard where the paper places it), and each section's page."""
    out = [_heading_xml(paper.title, 0)]
    dashboard = paper.dashboard
    room, wide = _WIDTH - 2 * _MARGIN, False
    for block in paper.blocks:
        if isinstance(block, Charts):
            if dashboard is not None and png is not None:
                out.append(_dashboard(links, dashboard, png, "rId5", room))
        elif isinstance(block, Heading):
            out.append(_heading_xml(block.text, block.level - 1))
        elif isinstance(block, Para):
            out.append(_paragraph_xml(_line_xml(links, block.line)))
        elif isinstance(block, Items):
            for item, more in block.items:
                content = _line_xml(links, item) + (f"<w:r><w:br/></w:r>{_line_xml(links, more)}" if more else "")
                out.append(_paragraph_xml(content, "ListBullet"))
        elif isinstance(block, Fields):
            out.append(_fields(links, block, room))
        elif isinstance(block, Table):
            out.append(_grid(links, block.headers, list(block.rows), block.align, room, 9))
            out.append("<w:p/>")
        elif isinstance(block, MeasureCharts):  # one such block a paper: its pictures are measure1.png, ...
            for i, (s, picture) in enumerate(zip(block.series, measures, strict=True), 1):
                out.append(_picture_xml(picture, f"rIdM{i}", room * 3 // 5, s.name, chart.measure_words(s), i + 1))
        elif isinstance(block, Appendices) and not wide:  # the pages so far end here; the rest are landscape
            out.append(f"<w:p><w:pPr>{_section_xml(False, 'rId4', header)}</w:pPr></w:p>")
            room, wide = _HEIGHT - 2 * _MARGIN, True
    out.append(_section_xml(wide, None if wide else "rId4", None if wide else header))
    return "".join(out)


def _relationships(pairs: list[tuple[str, str, str]]) -> str:
    """A part's relationships: (id, type, target); a link's target is outside the package."""
    out = [f'{_DECLARATION}<Relationships xmlns="{_PACKAGE}">']
    for rid, kind, target in pairs:
        external = ' TargetMode="External"' if kind == _LINK else ""
        out.append(f'<Relationship Id="{rid}" Type="{kind}" Target="{_xml(target)}"{external}/>')
    out.append("</Relationships>")
    return "".join(out)


def _core(title: str, as_of: date, author: str | None) -> str:
    """The document's properties: its title (at most the 255 characters a property holds), the board
    (or its secretariat) its author, the paper's date its dates."""
    by = _xml(_text(author or "")[:255])
    when = f"{as_of.isoformat()}T00:00:00Z"
    return (
        f'{_DECLARATION}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_xml(_text(title)[:255])}</dc:title><dc:subject></dc:subject><dc:creator>{by}</dc:creator>"
        f"<cp:keywords></cp:keywords><dc:description></dc:description><cp:lastModifiedBy>{by}</cp:lastModifiedBy>"
        f'<cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified><cp:category></cp:category>'
        f"<cp:lastPrinted>{when}</cp:lastPrinted></cp:coreProperties>"
    )


def _content_types() -> str:
    parts = {
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/word/document.xml": f"{_OFFICE}.document.main+xml",
        "/word/styles.xml": f"{_OFFICE}.styles+xml",
        "/word/numbering.xml": f"{_OFFICE}.numbering+xml",
        "/word/settings.xml": f"{_OFFICE}.settings+xml",
        "/word/footer1.xml": f"{_OFFICE}.footer+xml",
        "/word/header1.xml": f"{_OFFICE}.header+xml",
    }
    return (
        f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="png" ContentType="image/png"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in parts.items())
        + "</Types>"
    )


def _template(name: str) -> bytes:
    from importlib import resources

    return resources.files("tracker").joinpath("data").joinpath("word").joinpath(name).read_bytes()


def render(paper: Paper, as_of: date) -> bytes:
    """The paper as the bytes of a .docx file."""
    png = chart.png(paper.dashboard.trend) if paper.dashboard is not None else None
    links = _Links(first=7)  # after the styles, numbering, settings, footer, picture and header (rId1 to rId6)
    measures = [chart.measure_png(s) for b in paper.blocks if isinstance(b, MeasureCharts) for s in b.series]
    document = f"{_DECLARATION}<w:document {_NAMESPACES}><w:body>{_body(paper, links, png, measures)}</w:body></w:document>"
    related = [(f"rId{i}", f"{_RELATIONSHIPS}/{name.removesuffix('.xml')}", name) for i, name in enumerate(_TEMPLATE, 1)]
    related.append(("rId4", f"{_RELATIONSHIPS}/footer", "footer1.xml"))
    related += [("rId5", f"{_RELATIONSHIPS}/image", "media/image1.png")] if png is not None else []
    related += [("rId6", f"{_RELATIONSHIPS}/header", "header1.xml")] if paper.classification else []
    related += [(f"rIdM{i}", f"{_RELATIONSHIPS}/image", f"media/measure{i}.png") for i in range(1, len(measures) + 1)]
    related += [(rid, _LINK, target) for target, rid in links.ids.items()]
    top = [
        ("rId1", f"{_RELATIONSHIPS}/officeDocument", "word/document.xml"),
        ("rId2", f"{_PACKAGE}/metadata/core-properties", "docProps/core.xml"),
    ]
    parts: list[tuple[str, bytes]] = [
        ("[Content_Types].xml", _content_types().encode()),
        ("_rels/.rels", _relationships(top).encode()),
        ("docProps/core.xml", _core(paper.title, as_of, paper.author).encode()),
        ("word/document.xml", document.encode()),
        ("word/_rels/document.xml.rels", _relationships(related).encode()),
        *((f"word/{name}", _template(name)) for name in _TEMPLATE),
        ("word/footer1.xml", (_DECLARATION + _footer(paper.classification)).encode()),
        *([("word/header1.xml", (_DECLARATION + _header(paper.classification)).encode())] if paper.classification else []),
        *([("word/media/image1.png", png)] if png is not None else []),
        *((f"word/media/measure{i}.png", picture) for i, picture in enumerate(measures, 1)),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # one fixed time: the same paper, the same bytes
            info.create_system, info.external_attr = 3, 0o644 << 16
            # The chart is a PNG, compressed already; the XML deflates well at the quickest level.
            stored = name.endswith(".png")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            package.writestr(info, data, compresslevel=None if stored else 1)
    return buffer.getvalue()
