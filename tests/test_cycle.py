"""Two board cycles end to end: chase, packs, filled and imported (one refused whole), corrections, the paper."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from .conftest import TODAY, Run
from .test_reports import with_board

MEETINGS = "  meetings: [2025-03-31, 2025-07-03, 2025-10-02]\n"


def fill(path: Path, out: Path, answers: dict[int, tuple[date, str, str]]) -> None:
    """Fill a pack as a department would: a date, a rating and a summary on some rows."""
    book = load_workbook(path)
    sheet = book["Returns"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        number = row[header.index("recommendation")].value
        if number in answers:
            day, rating, summary = answers[number]
            row[header.index("date")].value = day
            row[header.index("rag")].value = rating
            row[header.index("summary")].value = summary
    book.save(out)


def test_two_board_cycles(run: Run, workspace: Path, tmp_path: Path) -> None:
    with_board(workspace)  # meetings 2025-03-31, 2025-07-03, 2025-10-02
    # Cycle 1: chase for the meeting of 2025-07-03.
    chased = json.loads(run("chase", "--by", "2025-07-03", "--format", "json", root=workspace).stdout)
    owing = {d["dept"]: [o["number"] for o in d["owes"]] for d in chased["departments"]}
    assert 9 in owing["DHSC"] and 20 in owing["DWP"] and 17 in owing["MoJ"]
    packs = {}
    for code in ("DHSC", "DWP", "MoJ"):
        packs[code] = tmp_path / f"{code}.xlsx"
        result = run("pack", "--dept", code, "--out", str(packs[code]), root=workspace)
        assert result.exit_code == 0, result.stderr
        sheet = load_workbook(packs[code])["Returns"]
        assert sheet.protection.sheet and sheet["A2"].protection.locked and not sheet["I2"].protection.locked
        assert load_workbook(packs[code]).sheetnames == ["Returns", "How to fill it in"]
    filled = {code: tmp_path / f"{code}-filled.xlsx" for code in packs}
    fill(packs["DHSC"], filled["DHSC"], {9: (date(2025, 6, 20), "amber", "Workforce plan drafted.")})
    fill(
        packs["DWP"],
        filled["DWP"],
        {20: (date(2025, 6, 21), "green", "IPS in every area."), 3: (date(2025, 6, 21), "red", "Test row.")},
    )
    fill(packs["MoJ"], filled["MoJ"], {17: (date(2025, 6, 22), "purple", "Escorts short.")})  # the mistake
    before = sorted(p.name for p in (workspace / "status").glob("*.yaml"))
    refused = run("import", str(filled["MoJ"]), root=workspace)
    assert refused.exit_code == 3 and "sheet Returns, row" in refused.stderr and "column rag: 'purple'" in refused.stderr
    assert sorted(p.name for p in (workspace / "status").glob("*.yaml")) == before  # refused whole
    fill(packs["MoJ"], filled["MoJ"], {17: (date(2025, 6, 22), "red", "Escorts short.")})
    for code in ("DHSC", "DWP", "MoJ"):
        result = run("import", str(filled[code]), root=workspace)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""  # a pack's own columns are not noted as unknown
    assert run("import", str(filled["DWP"]), root=workspace).stdout.endswith(
        "imported 0 returns from " + str(filled["DWP"]) + "; 2 already recorded\n"
    )
    # Corrections: DWP's test row withdrawn, MoJ's rating corrected.
    assert run("withdraw", "3", "--dept", "DWP", "--date", "2025-06-21", "--why", "Test row", root=workspace).exit_code == 0
    fix = ("correct", "17", "--dept", "MoJ", "--date", "2025-06-22", "--rag", "amber", "--why", "Amber agreed with MoJ")
    assert run(*fix, root=workspace).exit_code == 0
    paper = run("paper", "--as-of", "2025-07-03", root=workspace).stdout
    assert "| **Meeting** | 3 July 2025 |" in paper and "changes since the last board on 31 March 2025" in paper
    assert "Received: 9 (DHSC AMBER); 17 (MoJ AMBER); 20 (DWP GREEN)." in paper  # exactly what arrived, corrected
    assert "the departments 3 returns (DHSC 1, DWP 1, MoJ 1)" in paper
    today = run("paper", "--since", "2025-03-31", root=workspace).stdout  # the corrections were recorded today
    assert "Corrections: 3 (DWP's 21 June 2025 RED withdrawn); 17 (MoJ's 22 June 2025 RED corrected to AMBER)." in today
    # Cycle 2: chase; who reported in the window is not chased on what it reported, until it is 90 days old.
    chased = json.loads(run("chase", "--format", "json", "--by", "2025-09-15", root=workspace).stdout)
    owing = {d["dept"]: {o["number"]: o for o in d["owes"]} for d in chased["departments"]}
    assert 9 not in owing["DHSC"] and 20 not in owing.get("DWP", {}) and 3 in owing["DWP"]  # 3 was withdrawn
    later = json.loads(run("chase", "--format", "json", "--by", "2025-10-02", root=workspace).stdout)
    dhsc = next(d for d in later["departments"] if d["dept"] == "DHSC")
    assert next(o for o in dhsc["owes"] if o["number"] == 9)["days_ago"] == (TODAY - date(2025, 6, 20)).days
    request = run("chase", "--dept", "MoJ", "--format", "markdown", "--by", "2025-10-02", root=workspace).stdout
    assert "Northshire Combating Drugs Partnership asks Ministry of Justice for returns" in request
    pack = list(csv.DictReader(io.StringIO(run("pack", "--dept", "MoJ", root=workspace).stdout.removeprefix("\ufeff"))))
    assert next(r for r in pack if r["recommendation"] == "17")["last rating"] == "amber"


def test_commands_that_do_not_touch_excel_never_load_it(workspace: Path) -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from tracker.cli import app\n"
        f"for args in (['chase'], ['pack', '--dept', 'DWP'], ['report'], ['paper']):\n"
        f"    assert CliRunner().invoke(app, ['--root', {str(workspace)!r}, *args]).exit_code == 0, args\n"
        "print('openpyxl' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_damaged_or_odd_workbook_is_one_line_never_a_traceback(run: Run, workspace: Path, tmp_path: Path) -> None:
    import zipfile

    pack = tmp_path / "DWP.xlsx"
    assert run("pack", "--dept", "DWP", "--out", str(pack), root=workspace).exit_code == 0
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(pack) as z, zipfile.ZipFile(bad, "w") as out:
        for item in z.infolist():
            out.writestr(item, b"<garbage" if item.filename == "xl/workbook.xml" else z.read(item))
    for path in (bad, tmp_path / "text.xlsx"):
        if path.name == "text.xlsx":
            path.write_text("not a workbook")
        result = run("import", str(path), root=workspace)
        assert result.exit_code == 3 and result.stderr.count("\n") == 1 and str(path) in result.stderr, result.stderr


def test_every_filled_row_is_read_whatever_size_the_sheet_says_it_is(run: Run, workspace: Path, tmp_path: Path) -> None:
    import re
    import zipfile

    pack, filled = tmp_path / "DWP.xlsx", tmp_path / "filled.xlsx"
    run("pack", "--dept", "DWP", "--out", str(pack), root=workspace)
    fill(
        pack,
        filled,
        {3: (date(2025, 6, 1), "red", "a"), 4: (date(2025, 6, 1), "amber", "b"), 22: (date(2025, 6, 1), "green", "c")},
    )
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(filled) as z, zipfile.ZipFile(stale, "w") as out:
        for item in z.infolist():
            data = z.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, found = re.subn(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:N3"/>', data)
                assert found == 1
            out.writestr(item, data)
    result = run("import", str(stale), root=workspace)
    # 3, 4, and 22 twice (as DWP, and for Jobcentre Plus): the file says it has 3 rows in all
    assert result.exit_code == 0 and result.stdout.startswith("imported 4 returns"), result.stdout + result.stderr


def test_text_a_workbook_cannot_hold_or_that_looks_like_a_formula_stays_text(run: Run, workspace: Path, tmp_path: Path) -> None:
    run(
        "update",
        "20",
        "--dept",
        "DWP",
        "--rag",
        "a",
        "--summary",
        "Phase 1\x0bphase 2 =SUM(A1)",
        "--date",
        "2026-11-01",
        root=workspace,
    )
    run("update", "3", "--dept", "DWP", "--rag", "a", "--summary", '=HYPERLINK("x")', "--date", "2026-11-01", root=workspace)
    pack = tmp_path / "DWP.xlsx"
    result = run("pack", "--dept", "DWP", "--out", str(pack), root=workspace)
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(pack)["Returns"]
    cells = {row[0].value: row[7] for row in sheet.iter_rows(min_row=2)}
    assert cells[3].value == '=HYPERLINK("x")' and cells[3].data_type == "s"
    assert cells[20].value == "Phase 1phase 2 =SUM(A1)"


def test_a_spreadsheet_error_is_not_taken_for_a_summary(run: Run, workspace: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "errors.csv"
    sheet.write_text("recommendation,dept,date,rag,summary\n20,DWP,2025-01-10,green,#N/A\n")
    result = run("import", str(sheet), root=workspace)
    assert result.exit_code == 3 and "row 2, column summary: holds the spreadsheet error #N/A" in result.stderr


def test_a_workbook_that_points_a_cell_at_text_it_does_not_hold_is_refused(run: Run, workspace: Path, tmp_path: Path) -> None:
    import zipfile

    pack, filled = tmp_path / "DWP.xlsx", tmp_path / "filled.xlsx"
    run("pack", "--dept", "DWP", "--out", str(pack), root=workspace)
    fill(pack, filled, {3: (date(2025, 6, 1), "red", "a")})
    bad = tmp_path / "negative.xlsx"
    with zipfile.ZipFile(filled) as z, zipfile.ZipFile(bad, "w") as out:
        for item in z.infolist():
            data = z.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row r="40"><c r="K40" t="s"><v>-1</v></c></row></sheetData>', 1)
            out.writestr(item, data)
    result = run("import", str(bad), root=workspace)
    assert result.exit_code == 3 and "a cell names text that is not in it" in result.stderr
