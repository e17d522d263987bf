"""Hostile and unlucky workbooks given to `tracker import`: hand-made, damaged, huge or crafted to make
a reader slow. Every one is read in time linear in its size or refused in one line, never a
traceback, and never a return silently left out."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from .conftest import Run

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
HEADER = ["recommendation", "dept", "date", "rag", "summary", "author"]


def cell(ref: str, value: str, quote: str = '"') -> str:
    q = quote
    text = value.replace("&", "&amp;").replace("<", "&lt;")
    return f"<c r={q}{ref}{q} t={q}inlineStr{q}><is><t>{text}</t></is></c>"


def row_xml(n: int, values: list[str]) -> str:
    return f'<row r="{n}">' + "".join(cell(f"{chr(65 + i)}{n}", v) for i, v in enumerate(values) if v) + "</row>"


def sheet_xml(rows: dict[int, list[str]], extra: str = "") -> bytes:
    body = "".join(row_xml(n, values) for n, values in sorted(rows.items()))
    return f"<worksheet {NS}><sheetData>{body}{extra}</sheetData></worksheet>".encode()


def workbook(sheet: bytes, strings: list[str] = (), compression: int = zipfile.ZIP_DEFLATED) -> bytes:  # type: ignore[assignment]
    """A workbook as Excel lays one out, its one sheet named Returns holding `sheet`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        z.writestr(
            "xl/workbook.xml", f'<workbook {NS} {REL}><sheets><sheet name="Returns" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/sharedStrings.xml", f"<sst {NS}>" + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


def a_return(summary: str) -> list[str]:
    return ["20", "DWP", "02/06/2025", "green", summary, "T"]


def test_a_return_far_down_the_sheet_is_read_not_skipped(run: Run, workspace: Path, tmp_path: Path) -> None:
    # Twelve thousand rows that exist but hold nothing (formatted, say), then a return.
    empty = "".join(f'<row r="{n}" ht="15"/>' for n in range(2, 12_000))
    path = tmp_path / "far.xlsx"
    path.write_bytes(workbook(sheet_xml({1: HEADER}, empty + row_xml(12_000, a_return("Far down")))))
    result = run("import", str(path), root=workspace)
    assert result.exit_code == 0 and result.stdout.startswith("imported 1 return"), result.stdout + result.stderr
    assert "Far down" in run("export", root=workspace).stdout


@pytest.mark.parametrize("quote", ['"', "'"])
def test_a_negative_shared_string_is_refused_whatever_the_quotes(run: Run, workspace: Path, tmp_path: Path, quote: str) -> None:
    q = quote
    bad = f"<row r={q}2{q}><c r={q}A2{q} t={q}s{q}><v>-1</v></c></row>"
    path = tmp_path / "negative.xlsx"
    path.write_bytes(workbook(sheet_xml({1: HEADER}, bad), strings=["words of another cell"]))
    result = run("import", str(path), root=workspace)
    assert result.exit_code == 3 and "a cell names text that is not in it" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1


def test_a_sheet_crafted_to_slow_a_pattern_search_is_read_at_once(tmp_path: Path, workspace: Path) -> None:
    # `<c t="s" ` repeated: a regular expression over the raw sheet took hours on this; a parser, no time.
    sheet = f'<worksheet {NS}><sheetData><row r="1">'.encode() + b'<c t="s" ' * 20_000 + b"</row></sheetData></worksheet>"
    path = tmp_path / "slow.xlsx"
    path.write_bytes(workbook(sheet))
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--root", str(workspace), "import", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3 and result.stderr.count("\n") == 1 and "cannot be read" in result.stderr, result.stderr


def patched(raw: bytes, name: str, local: int, central: int, value: bytes) -> bytes:
    """`raw` with bytes of the local and central headers of entry `name` set to `value`, at the offsets given."""
    data = bytearray(raw)
    encoded = name.encode()
    at = 0
    while True:  # the local header of the entry
        at = data.index(b"PK\x03\x04", at)
        if data[at + 30 : at + 30 + len(encoded)] == encoded:
            break
        at += 4
    data[at + local : at + local + len(value)] = value
    at = 0
    while True:  # its entry in the central directory
        at = data.index(b"PK\x01\x02", at)
        if data[at + 46 : at + 46 + len(encoded)] == encoded:
            break
        at += 4
    data[at + central : at + central + len(value)] = value
    return bytes(data)


SHEET = "xl/worksheets/sheet1.xml"


def damaged(how: str) -> bytes:
    good = workbook(sheet_xml({1: HEADER, 2: a_return("x")}))
    if how == "unsupported compression":
        return patched(good, SHEET, 8, 10, (99).to_bytes(2, "little"))
    if how == "encrypted":
        return patched(good, SHEET, 6, 8, (1).to_bytes(2, "little"))
    if how == "corrupt deflate":
        info = zipfile.ZipFile(io.BytesIO(good)).getinfo(SHEET)
        start = info.header_offset + 30 + len(SHEET)
        data = bytearray(good)
        data[start : start + 8] = b"\xff" * 8
        return bytes(data)
    if how == "wrong checksum":
        stored = workbook(sheet_xml({1: HEADER, 2: a_return("x")}), compression=zipfile.ZIP_STORED)
        return stored.replace(b"<t>green</t>", b"<t>GREEN</t>")
    if how == "a document type":
        return workbook(b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + sheet_xml({1: HEADER, 2: a_return("&a;")}))
    if how == "no sheet part":
        return workbook(sheet_xml({1: HEADER})).replace(b"worksheets/sheet1.xml", b"worksheets/sheet9.xml", 1)
    if how == "a column past XFD":
        return workbook(sheet_xml({1: HEADER}, '<row r="2"><c r="ZZZZ2" t="inlineStr"><is><t>x</t></is></c></row>'))
    if how == "a shared string named by words":
        return workbook(sheet_xml({1: HEADER}, '<row r="2"><c r="A2" t="s"><v>one</v></c></row>'))
    assert how == "a number that is not one"
    return workbook(sheet_xml({1: HEADER}, '<row r="2"><c r="A2"><v>1e</v></c></row>'))


@pytest.mark.parametrize(
    "how",
    [
        "unsupported compression",
        "encrypted",
        "corrupt deflate",
        "wrong checksum",
        "a document type",
        "no sheet part",
        "a column past XFD",
        "a shared string named by words",
        "a number that is not one",
    ],
)
def test_a_damaged_workbook_is_one_line_and_records_nothing(run: Run, workspace: Path, tmp_path: Path, how: str) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(damaged(how))
    result = run("import", str(path), root=workspace)
    assert result.exit_code == 3 and result.stderr.count("\n") == 1 and str(path) in result.stderr, result.stderr
    assert not list((workspace / "status").iterdir())


def test_crc_of_a_patched_entry_is_what_zip_checks() -> None:
    # The checks above damage what they mean to: zipfile itself refuses each entry so changed.
    for how, error in (
        ("unsupported compression", NotImplementedError),
        ("encrypted", RuntimeError),
        ("corrupt deflate", zlib.error),
        ("wrong checksum", zipfile.BadZipFile),
    ):
        with zipfile.ZipFile(io.BytesIO(damaged(how))) as z, pytest.raises(error):
            z.read(SHEET)


def test_a_row_wider_than_its_header_is_named(run: Run, workspace: Path, tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    path.write_bytes(workbook(sheet_xml({1: HEADER}, '<row r="7"><c r="XFD7" t="inlineStr"><is><t>x</t></is></c></row>')))
    result = run("import", str(path), root=workspace)
    assert result.exit_code == 3 and "sheet Returns, row 7: has 16384 cells but the header has 6" in result.stderr, result.stderr


def test_dates_numbers_and_escapes_read_as_excel_shows_them(run: Run, workspace: Path, tmp_path: Path) -> None:
    styles = (
        f'<styleSheet {NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts>'
        '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>'
    )
    row = (
        '<row r="2"><c r="A2"><v>20</v></c><c r="B2" t="inlineStr"><is><t>DWP</t></is></c>'
        '<c r="C2" s="1"><v>45810.5</v></c><c r="D2" t="inlineStr"><is><t>green</t></is></c>'
        '<c r="E2" t="inlineStr"><is><r><t>Two_x000A_</t></r><r><t>runs</t></r></is></c>'
        '<c r="F2" t="inlineStr"><is><t>T</t></is></c></row>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook(sheet_xml({1: HEADER}, row)))) as z, zipfile.ZipFile(buf, "w") as out:
        for item in z.infolist():
            out.writestr(item, z.read(item))
        out.writestr("xl/styles.xml", styles)
    path = tmp_path / "typed.xlsx"
    path.write_bytes(buf.getvalue())
    assert run("import", str(path), root=workspace).exit_code == 0
    import csv

    rows = list(csv.reader(io.StringIO(run("export", root=workspace).stdout.lstrip("\ufeff"))))
    assert rows[1][:6] == ["20", "DWP", "2025-06-02", "green", "Two\nruns", "T"], rows


def test_a_pack_holds_text_a_workbook_cannot_and_is_written(run: Run, workspace: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    marker = workspace / "recommendations.yaml"
    text = marker.read_text(encoding="utf-8")
    name = "Department for Work and Pensions"
    assert f"name: {name}" in text
    marker.write_text(text.replace(f"name: {name}", f'name: "{name}\\x07"', 1), encoding="utf-8")  # which check accepts
    summary = "Half\ufffeway\uffff there"  # which update accepts
    recorded = run("update", "20", "--dept", "DWP", "--rag", "a", "--summary", summary, "--date", "2026-11-01", root=workspace)
    assert recorded.exit_code == 0, recorded.stderr
    pack = tmp_path / "DWP.xlsx"
    result = run("pack", "--dept", "DWP", "--out", str(pack), root=workspace)
    assert result.exit_code == 0, result.stderr
    book = load_workbook(pack)
    assert any(row[7] == "Halfway there" for row in book["Returns"].iter_rows(values_only=True))
    assert book["How to fill it in"]["A1"].value.startswith(f"Return pack for {name} (DWP)")
    assert run("import", str(pack), root=workspace).exit_code == 0  # a pack as sent imports nothing, without error


def test_the_pack_prints_on_a4_landscape_and_takes_only_dates_in_date_columns(run: Run, workspace: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    pack = tmp_path / "DWP.xlsx"
    assert run("pack", "--dept", "DWP", "--out", str(pack), root=workspace).exit_code == 0
    sheet = load_workbook(pack)["Returns"]
    setup = sheet.page_setup
    assert (setup.orientation, str(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == ("landscape", "9", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
    for number in range(2, sheet.max_row + 1):  # each row as tall as its wrapped title, so none prints over the next
        title = sheet.cell(number, 3).value
        assert sheet.row_dimensions[number].height >= 15 * -(-len(title) // sheet.column_dimensions["C"].width)
    help_sheet = load_workbook(pack)["How to fill it in"]  # one page wide too: no line of it cut
    assert help_sheet.sheet_properties.pageSetUpPr.fitToPage and help_sheet.page_setup.fitToWidth == 1
    header = [c.value for c in sheet[1]]
    columns = {header.index(name) for name in ("date", "target_date")}
    dated = {
        str(r).split(":")[0].rstrip("0123456789"): v.type for v in sheet.data_validations.dataValidation for r in v.sqref.ranges
    }
    from openpyxl.utils import get_column_letter

    assert {get_column_letter(i + 1) for i in columns} == {c for c, kind in dated.items() if kind == "date"}


@pytest.mark.parametrize("where", ["sheet", "shared strings"])
def test_a_workbook_of_more_elements_than_a_pack_could_hold_is_refused_not_read_at_length(
    run: Run, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from tracker import xlsx

    monkeypatch.setattr(xlsx, "MAX_ELEMENTS", 1000)  # as 6,000,000 is to a flood of 36 MB
    path = tmp_path / "flood.xlsx"
    if where == "sheet":
        path.write_bytes(workbook(sheet_xml({1: HEADER}, "<row/>" * 2000)))
    else:
        path.write_bytes(workbook(sheet_xml({1: HEADER}), strings=[""] * 1000))
    result = run("import", str(path), root=workspace)
    assert result.exit_code == 3 and "its XML has over 1,000 elements, more than a return pack could hold" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("part", ["xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
def test_every_part_counts_towards_the_bound_on_elements(
    run: Run, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    """A few hundred kilobytes of <xf/> in the styles kept an import busy for half a minute."""
    from tracker import xlsx

    monkeypatch.setattr(xlsx, "MAX_ELEMENTS", 1000)
    book = zipfile.ZipFile(io.BytesIO(workbook(sheet_xml({1: HEADER, 2: a_return("Flooded.")}))))
    parts = {name: book.read(name) for name in book.namelist()}
    flood = {
        "xl/styles.xml": f"<styleSheet {NS}><cellXfs>{'<xf/>' * 2000}</cellXfs></styleSheet>".encode(),
        "xl/workbook.xml": parts["xl/workbook.xml"].replace(b"</sheets>", b"</sheets>" + b"<a/>" * 2000),
        "xl/_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b"<Relationship/>" * 2000 + b"</Relationships>"
        ),
    }
    parts[part] = flood[part]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    (tmp_path / "flood.xlsx").write_bytes(buf.getvalue())
    result = run("import", str(tmp_path / "flood.xlsx"), root=workspace)
    assert result.exit_code == 3 and "its XML has over 1,000 elements" in result.stderr
    assert not (workspace / "status" / "DWP.yaml").exists()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('<c r="E2" t="e"><v>#BLOCKED!</v></c>', "holds the spreadsheet error #BLOCKED!"),
        ('<c r="C2" s="1"><v>2958466</v></c>', "a date cell holds '2958466', which is no date"),
    ],
)
def test_a_cell_a_spreadsheet_could_not_work_out_is_named(
    run: Run, workspace: Path, tmp_path: Path, value: str, says: str
) -> None:
    cells = a_return("Fine.")
    column = value[value.index('r="') + 3]
    row = row_xml(2, [v if chr(65 + i) != column else "" for i, v in enumerate(cells)]).replace("</row>", value + "</row>")
    book = zipfile.ZipFile(io.BytesIO(workbook(sheet_xml({1: HEADER}, row))))
    parts = {name: book.read(name) for name in book.namelist()}
    parts["xl/styles.xml"] = f'<styleSheet {NS}><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>'.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    (tmp_path / "odd.xlsx").write_bytes(buf.getvalue())
    result = run("import", str(tmp_path / "odd.xlsx"), root=workspace)
    assert result.exit_code == 3 and says in result.stderr and result.stderr.count("\n") == 1
