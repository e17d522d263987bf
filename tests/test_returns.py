"""tracker update, export and import, and status files changed by hand, as a secretary uses them."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tracker import db
from tracker.domain.rating import RATING_CHOICES

from .conftest import TODAY, OpenDb, Run, update_args

UPDATE = update_args("Strategy drafted; consultation opens in May.", day="2024-03-01")


@pytest.fixture(autouse=True)
def _author(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_AUTHOR", "Jo Bloggs")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the workspace that a failed command must leave as it was."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != ".tracker.lock"}
    return files


def test_update_appends_to_the_departments_file_and_the_database(run: Run, workspace: Path, open_db: OpenDb) -> None:
    result = run(*UPDATE, "--evidence", "https://example.org/draft", "--evidence", "https://example.org/plan", root=workspace)
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Recorded status/DHSC.yaml:7" in out and "DHSC 2024-03-01 AMBER by Jo Bloggs" in out
    text = (workspace / "status" / "DHSC.yaml").read_text()
    assert text.startswith("# Status returns from DHSC: Department of Health and Social Care.\n")
    assert text.endswith(
        "\n- recommendation: 9\n  dept: DHSC\n  date: 2024-03-01\n  rag: amber\n"
        "  summary: Strategy drafted; consultation opens in May.\n  author: Jo Bloggs\n"
        "  evidence:\n    - https://example.org/draft\n    - https://example.org/plan\n"
    )
    conn = open_db(workspace)
    (saved,) = db.returns(conn, recommendation=9)
    assert (saved.dept, saved.rag.value, saved.evidence, saved.line) == (
        "DHSC",
        "amber",
        ("https://example.org/draft", "https://example.org/plan"),
        7,
    )


def test_update_defaults_the_date_to_today(run: Run, workspace: Path) -> None:
    assert run(*UPDATE[:-2], root=workspace).exit_code == 0
    assert f"  date: {TODAY}\n" in (workspace / "status" / "DHSC.yaml").read_text()


@pytest.mark.skipif(shutil.which("git") is None, reason="no git here")
def test_the_author_is_tracker_author_else_git_user_name_else_the_login(
    run: Run, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workspace / "status" / "DHSC.yaml"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))  # the machine's own settings play no part
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(workspace.parent))
    monkeypatch.setenv("LOGNAME", "jbloggs")
    assert run(*update_args("By the environment.", day="2024-03-01"), root=workspace).exit_code == 0
    assert path.read_text().endswith("  summary: By the environment.\n  author: Jo Bloggs\n")
    monkeypatch.delenv("TRACKER_AUTHOR")
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    subprocess.run(["git", "-C", str(workspace), "config", "user.name", "Ann Example"], check=True)
    assert run(*update_args("By git.", day="2024-03-02"), root=workspace).exit_code == 0
    assert path.read_text().endswith("  summary: By git.\n  author: Ann Example\n")
    shutil.rmtree(workspace / ".git")
    assert run(*update_args("By the login.", day="2024-03-03"), root=workspace).exit_code == 0
    assert path.read_text().endswith("  summary: By the login.\n  author: jbloggs\n")


def test_old_names_file_under_todays_registry_code(run: Run, workspace: Path) -> None:
    assert (
        run("update", "23", "--dept", "DLUHC", "--rag", "G", "--summary", "s", "--date", "2022-05-01", root=workspace).exit_code
        == 0
    )
    assert "  dept: MHCLG\n" in (workspace / "status" / "MHCLG.yaml").read_text()
    result = run(
        "update",
        "6",
        "--dept",
        "office for health promotion",
        "--rag",
        "r",
        "--summary",
        "s",
        "--date",
        "2022-05-01",
        root=workspace,
    )
    assert result.exit_code == 0 and (workspace / "status" / "OHID.yaml").exists()
    result = run("update", "9", "--dept", "HEE", "--rag", "b", "--summary", "s", "--date", "2024-05-01", root=workspace)
    assert (
        result.exit_code == 0
        and "  dept: NHSE\n  date: 2024-05-01\n  rag: complete\n" in (workspace / "status" / "NHSE.yaml").read_text()
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (("update", "33", "--dept", "DHSC", "--rag", "a", "--summary", "s"), "recommendation 33 does not exist"),
        (
            ("update", "9", "--dept", "Ministry of Magic", "--rag", "a", "--summary", "s"),
            "--dept: unknown department 'Ministry of Magic'; recommendation 9 is owned by DHSC",
        ),
        (
            ("update", "9", "--dept", "DWP", "--rag", "a", "--summary", "s", "--date", "2024-01-01"),
            "--dept: DWP does not own recommendation 9; its owners on 2024-01-01 are DHSC, NHSE",
        ),
        (
            ("update", "9", "--dept", "DHSC", "--rag", "purple", "--summary", "s"),
            "--rag: 'purple' is not a RAG rating: red (R), amber (A), green (G), complete (C or B for blue)",
        ),
        (
            ("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--date", "2024-02-30"),
            "--date: '2024-02-30' is not a real date written YYYY-MM-DD",
        ),
        (
            ("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--date", str(TODAY + timedelta(days=1))),
            "is in the future",
        ),
        (("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "  "), "--summary: is empty"),
        (
            ("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--evidence", "example.org/x"),
            "--evidence: 'example.org/x' is not an http(s) URL",
        ),
        (
            ("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--target-date", "2099-01-01"),
            "--reason: a revised target date needs a reason",
        ),
        (
            ("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--reason", "late"),
            "--target-date: a reason is given but no revised target date",
        ),
    ],
)
def test_a_bad_return_is_refused_and_nothing_is_written(run: Run, workspace: Path, args: tuple[str, ...], message: str) -> None:
    assert run("load", root=workspace).exit_code == 0
    before = snapshot(workspace)
    result = run(*args, root=workspace)
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert snapshot(workspace) == before


def test_without_a_terminal_a_missing_field_is_an_error_not_a_question(run: Run, workspace: Path) -> None:
    result = run("update", "9", "--rag", "a", "--summary", "s", root=workspace)
    assert result.exit_code == 2
    assert (
        result.stderr == "tracker: error: --dept is required when not at a terminal (recommendation 9 is owned by DHSC, NHSE)\n"
    )
    result = run("update", "9", "--dept", "DHSC", "--summary", "s", root=workspace)
    assert result.exit_code == 2 and "--rag is required" in result.stderr
    assert not (workspace / "status" / "DHSC.yaml").exists()


def test_the_same_return_twice_is_recorded_once(run: Run, workspace: Path) -> None:
    assert run(*UPDATE, root=workspace).exit_code == 0
    before = snapshot(workspace)
    result = run(*UPDATE, root=workspace)
    assert result.exit_code == 0 and result.stdout == "already recorded: nothing was added\n"
    assert snapshot(workspace) == before


def test_a_hand_edit_is_picked_up_by_the_next_command(run: Run, workspace: Path) -> None:
    assert run(*UPDATE, root=workspace).exit_code == 0
    path = workspace / "status" / "DHSC.yaml"
    path.write_text(
        path.read_text()
        + "\n- recommendation: 9\n  dept: DHSC\n  date: 2024-06-01\n  rag: green\n  summary: Published.\n  author: By hand\n"
    )
    record = json.loads(run("show", "9", "--format", "json", root=workspace).stdout)
    dhsc = record["owners"][0]
    assert [(r["date"], r["rag"], r["trend"]) for r in dhsc["returns"]] == [
        ("2024-06-01", "green", "better"),
        ("2024-03-01", "amber", None),
    ]
    assert dhsc["returns"][0]["line"] == 14


def test_a_broken_hand_edit_stops_every_command_with_its_line(run: Run, workspace: Path) -> None:
    assert run(*UPDATE, root=workspace).exit_code == 0
    path = workspace / "status" / "DHSC.yaml"
    path.write_text(path.read_text().replace("rag: amber", "rag: orange"))
    result = run("show", "9", root=workspace)
    assert result.exit_code == 3
    assert result.stderr.startswith("tracker: error: status/DHSC.yaml:10: recommendation 9: rag: 'orange' is not a RAG rating")


def write_status(root: Path, code: str, body: str) -> None:
    (root / "status" / f"{code}.yaml").write_text(body)


def test_check_validates_every_status_file(run: Run, workspace: Path) -> None:
    block = "- recommendation: {n}\n  dept: {d}\n  date: {day}\n  rag: {rag}\n  summary: s\n  author: a\n"
    write_status(
        workspace,
        "DHSC",
        block.format(n=9, d="DHSC", day="2024-01-01", rag="amber")
        + block.format(n=9, d="DHSC", day="2024-01-01", rag="amber")
        + block.format(n=20, d="DWP", day="2024-01-01", rag="green")
        + block.format(n=40, d="DHSC", day="2024-01-01", rag="green")
        + block.format(n=20, d="DHSC", day="2024-01-01", rag="green")
        + block.format(n=9, d="DHSC", day="2024-01-01", rag="G").replace(
            "  author: a\n", "  author: a\n  target_date: 2025-01-01\n"
        ),
    )
    write_status(workspace, "DWP", block.format(n=20, d="DWP", day="2024-01-01", rag="blue-ish"))
    result = run("check", root=workspace)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "status/DHSC.yaml:7: recommendation 9: the same return is recorded twice (first on line 1)",
        "status/DHSC.yaml:13: recommendation 20: dept: a return from DWP is in DHSC's file; move it to status/DWP.yaml",
        "status/DHSC.yaml:19: recommendation 40: recommendation: there is no recommendation 40",
        "status/DHSC.yaml:25: recommendation 20: dept: DHSC does not own recommendation 20 (owners on 2024-01-01: DWP, OHID)",
        "status/DHSC.yaml:31: recommendation 9: reason: a revised target date needs a reason",
        "status/DWP.yaml:4: recommendation 20: rag: 'blue-ish' is not a RAG rating: " + RATING_CHOICES,
    ]
    write_status(workspace, "DWP", "- recommendation: 20\n\tdept: DWP\n")
    result = run("check", root=workspace)
    assert result.exit_code == 3 and "status/DWP.yaml:2: YAML syntax error" in result.stdout


def test_check_rejects_returns_dated_in_the_future_even_when_loaded(run: Run, workspace: Path) -> None:
    later = TODAY + timedelta(days=3)
    write_status(
        workspace, "DHSC", f"- recommendation: 9\n  dept: DHSC\n  date: {later}\n  rag: amber\n  summary: s\n  author: a\n"
    )
    assert run("load", root=workspace).exit_code == 0
    result = run("check", root=workspace)
    assert result.exit_code == 1 and f"date: {later} is in the future" in result.stdout


def test_show_lists_each_owners_returns_with_trend_and_baseline(run: Run, workspace: Path) -> None:
    for day, rag, extra in [
        ("2022-01-10", "red", ("--dept", "HEE")),
        ("2023-06-01", "amber", ("--dept", "NHSE")),
        (
            "2023-06-02",
            "amber",
            ("--dept", "DHSC", "--target-date", "2024-06-30", "--reason", "Waiting for the NHS long-term workforce plan."),
        ),
        ("2024-06-01", "green", ("--dept", "NHSE")),
    ]:
        result = run("update", "9", "--rag", rag, "--summary", f"Return of {day}.", "--date", day, *extra, root=workspace)
        assert result.exit_code == 0, result.stderr
    out = run("show", "9", root=workspace).stdout
    text = " ".join(out.split())
    assert "DHSC: 1 return 2023-06-02 AMBER" in text
    assert "NHSE: 3 returns 2024-06-01 GREEN (was amber: better) Return of 2024-06-01. by Jo Bloggs" in text
    assert "2023-06-01 AMBER (was red: better) Return of 2023-06-01. by Jo Bloggs" in text
    assert "target date now 2024-06-30 (baseline 2021-12-31): Waiting for the NHS long-term workforce plan." in text
    assert "2022-01-10 RED filed as HEE Return of 2022-01-10." in text
    assert text.index("2024-06-01 GREEN") < text.index("2023-06-01 AMBER") < text.index("2022-01-10 RED")


def test_export_and_import_use_the_same_columns(run: Run, workspace: Path, tmp_path: Path) -> None:
    from .test_reports import HISTORY, file_returns

    source = tmp_path / "source"
    run("init", str(source))
    file_returns(source, HISTORY)
    exported = run("export", "--format", "csv", root=source).stdout
    assert exported.startswith("\ufeff")  # a spreadsheet reads it as UTF-8; import reads it with or without
    rows = list(csv.DictReader(io.StringIO(exported.removeprefix("\ufeff"))))
    assert list(rows[0]) == ["recommendation", "dept", "date", "rag", "summary", "author", "evidence", "target_date", "reason"]
    sheet = tmp_path / "returns.csv"
    sheet.write_text(exported)
    result = run("import", str(sheet), root=workspace)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"imported {len(rows)} returns from {sheet}; 0 already recorded\n"
    assert run("export", root=workspace).stdout == exported
    for path in (source / "status").glob("*.yaml"):
        assert (workspace / "status" / path.name).read_text().split("\n\n", 1)[1] == path.read_text().split("\n\n", 1)[1]
    before = snapshot(workspace)
    result = run("import", str(sheet), root=workspace)
    assert result.stdout == f"imported 0 returns from {sheet}; {len(rows)} already recorded\n"
    assert snapshot(workspace) == before


def test_a_large_first_import_leaves_the_database_as_a_rebuild_makes_it(
    run: Run, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_db: OpenDb, rebuild_db: OpenDb
) -> None:
    """An import of more entries than the database holds builds the indexes again after inserting."""
    from .test_reports import HISTORY, file_returns

    source = tmp_path / "source"
    run("init", str(source))
    file_returns(source, HISTORY)
    sheet = tmp_path / "returns.csv"
    sheet.write_text(run("export", root=source).stdout)
    monkeypatch.setattr("tracker.db.write.BULK", 2)
    statements: list[str] = []
    connect = db.connect

    def traced(path: Path, readonly: bool = False) -> db.Connection:
        conn = connect(path, readonly)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(db, "connect", traced)
    result = run("import", str(sheet), root=workspace)
    assert result.exit_code == 0, result.stderr
    assert any(s.startswith('DROP INDEX "idx_returns_latest"') for s in statements)  # the bulk path ran
    monkeypatch.setattr(db, "connect", connect)

    def state(conn: db.Connection) -> tuple[list[tuple[object, ...]], ...]:
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()
        returns = conn.execute("SELECT * FROM returns ORDER BY file, line").fetchall()
        return [tuple(i) for i in indexes], [tuple(r)[1:] for r in returns]

    imported = state(open_db(workspace))
    assert any(name == "idx_returns_latest" for name, _ in imported[0]) and len(imported[1]) > 2
    assert imported == state(rebuild_db(workspace))


def test_import_is_all_or_nothing_and_names_the_row_and_column(run: Run, workspace: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "returns.csv"
    sheet.write_text("recommendation,dept,date,rag,summary\n9,DHSC,2024-01-01,amber,Fine\n20,DWP,2024-01-01,purple,Not fine\n")
    assert run("load", root=workspace).exit_code == 0
    before = snapshot(workspace)
    result = run("import", str(sheet), root=workspace)
    assert result.exit_code == 3
    assert result.stderr == f"tracker: error: {sheet}: row 3, column rag: 'purple' is not a RAG rating: {RATING_CHOICES}\n"
    assert snapshot(workspace) == before
    sheet.write_text("recommendation,dept,date,colour\n")
    result = run("import", str(sheet), root=workspace)
    assert result.exit_code == 3 and "row 1: no 'rag' column" in result.stderr  # an unknown column is only noted


def test_an_import_into_a_workspace_named_by_a_relative_path_makes_its_new_files(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = workspace.parent / "two.csv"
    sheet.write_text("recommendation,dept,date,rag,summary,author\n1,HO,2024-01-01,red,x,A\n2,DHSC,2024-01-01,red,y,A\n")
    monkeypatch.chdir(workspace.parent)
    result = run("import", "two.csv", root=Path(workspace.name))  # two new status files, under a relative root
    assert result.exit_code == 0, result.stderr
    assert (workspace / "status" / "HO.yaml").exists() and (workspace / "status" / "DHSC.yaml").exists()
    assert not list(workspace.rglob("*.tmp")) and not (workspace / ".tracker.journal").exists()


def test_import_fills_the_author_when_the_sheet_has_none(run: Run, workspace: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "returns.csv"
    sheet.write_text("Recommendation,Dept,Date,RAG,Summary\n9,Department of Health and Social Care,2024-01-01,A,Fine\n")
    assert run("import", str(sheet), root=workspace).exit_code == 0
    assert "  author: Jo Bloggs\n" in (workspace / "status" / "DHSC.yaml").read_text()


def test_the_database_knows_the_line_of_every_return_appended(
    run: Run, workspace: Path, open_db: OpenDb, rebuild_db: OpenDb
) -> None:
    from tracker.yamlio.returns import parse_status_file

    path = workspace / "status" / "DHSC.yaml"
    assert run(*UPDATE, root=workspace).exit_code == 0
    path.write_bytes(path.read_bytes() + b"# a note by hand, with no line end")
    for i in range(3):
        args = ("update", "9", "--dept", "DHSC", "--rag", "green", "--summary", f"Return {i}.", "--date", "2024-04-01")
        assert run(*args, root=workspace).exit_code == 0
    in_file, problems = parse_status_file(path.read_bytes(), "status/DHSC.yaml")
    assert problems == [] and len(in_file) == 4
    conn = open_db(workspace)
    assert [(u.summary, u.line) for u in db.returns(conn)] == [(u.summary, u.line) for u in in_file]
    conn.close()
    rebuilt = rebuild_db(workspace)
    assert [(u.summary, u.line) for u in db.returns(rebuilt)] == [(u.summary, u.line) for u in in_file]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_status_file_keeps_its_permissions(run: Run, workspace: Path) -> None:
    assert run(*UPDATE, root=workspace).exit_code == 0
    path = workspace / "status" / "DHSC.yaml"
    path.chmod(0o640)
    args = ("update", "9", "--dept", "DHSC", "--rag", "green", "--summary", "Next.", "--date", "2024-04-01")
    assert run(*args, root=workspace).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o640
    assert "summary: Next.\n" in path.read_text()


@pytest.mark.parametrize(
    "row, column, message",
    [
        ("20,NOPE,2024-01-01,red,S", "dept", "unknown department 'NOPE'; recommendation 20 is owned by DWP, OHID"),
        ("20,DHSC,2024-01-01,red,S", "dept", "DHSC does not own recommendation 20; its owners on 2024-01-01 are DWP, OHID"),
        ("20,DWP,2024-01-01,red,", "summary", "is empty; say what has been done"),
        ("20,DWP,1-1-2024,red,S", "date", "'1-1-2024' is not a real date written YYYY-MM-DD"),
    ],
)
def test_every_bad_cell_is_named_by_row_and_column(
    run: Run, workspace: Path, tmp_path: Path, row: str, column: str, message: str
) -> None:
    sheet = tmp_path / "returns.csv"
    sheet.write_text(f"recommendation,dept,date,rag,summary\n20,DWP,2024-01-01,green,Fine\n{row}\n")
    result = run("import", str(sheet), root=workspace)
    assert (result.exit_code, result.stderr) == (3, f"tracker: error: {sheet}: row 3, column {column}: {message}\n")


def test_update_checks_the_options_in_the_order_they_are_asked_for(run: Run, workspace: Path) -> None:
    args = ("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", " ", "--target-date", " 2025-13-01 ", "--reason", "r")
    result = run(*args, root=workspace)
    assert result.stderr == "tracker: error: --target-date: ' 2025-13-01 ' is not a real date written YYYY-MM-DD\n"
    result = run("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--date", "", root=workspace)
    assert result.exit_code == 0, "an empty --date is today, as no --date is"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--date", "2021-07-01"),
            "--date: 2021-07-01 is before the review was published (2021-07-08)",
        ),
        (
            ("assess", "9", "--rag", "a", "--summary", "s", "--date", "2021-07-07"),
            "--date: 2021-07-07 is before the review was published (2021-07-08)",
        ),
        (
            ("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--date", "2024-01-01")
            + ("--target-date", "2023-12-31", "--reason", "r"),
            "--target-date: the revised target date 2023-12-31 is before the return's own date 2024-01-01",
        ),
        (
            ("update", "9", "--dept", "NHSE", "--rag", "a", "--summary", "s", "--date", "2024-01-01")
            + ("--target-date", "2025-12-31", "--reason", "r"),
            "--target-date: only a lead moves the target date; NHSE supports recommendation 9",
        ),
    ],
)
def test_returns_that_cannot_be_right_are_refused(run: Run, workspace: Path, args: tuple[str, ...], message: str) -> None:
    result = run(*args, root=workspace)
    assert (result.exit_code, result.stderr) == (3, f"tracker: error: {message}\n")
    assert not list(workspace.glob("status/*.yaml")) and not (workspace / "assessments.yaml").exists()


def test_a_support_moving_the_target_date_by_hand_is_found_by_check(run: Run, workspace: Path) -> None:
    (workspace / "status").mkdir(exist_ok=True)
    (workspace / "status" / "NHSE.yaml").write_text(
        "- recommendation: 9\n  dept: NHSE\n  date: 2024-01-01\n  rag: amber\n  summary: s\n  author: a\n"
        "  target_date: 2025-01-01\n  reason: r\n"
    )
    result = run("check", root=workspace)
    assert result.exit_code == 1
    assert "status/NHSE.yaml:1: recommendation 9: target_date: only a lead moves the target date" in result.stdout


def test_import_reads_a_csv_as_excel_saves_it(run: Run, workspace: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "from-excel.csv"
    sheet.write_bytes(
        "Recommendation,Dept,Date,RAG,Summary,Notes from the team\r\n"
        "9,DHSC,01/03/2024,amber,Café staff trained – £5k spent,ignore me\r\n"
        "20,DWP,2024-03-02,g,Roll-out on track,\r\n".encode("cp1252")
    )
    result = run("import", str(sheet), root=workspace)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"imported 2 returns from {sheet}; 0 already recorded\n"
    assert f"tracker: note: {sheet} is not UTF-8: read as Windows-1252" in result.stderr
    assert f"tracker: note: {sheet}: left out the columns tracker does not read: notes from the team" in result.stderr
    status = (workspace / "status" / "DHSC.yaml").read_text(encoding="utf-8")
    assert "date: 2024-03-01" in status and "Café staff trained – £5k spent" in status
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfrecommendation,dept,date,rag,summary\n9,DHSC,2/4/2024,red,Late\n")
    result = run("import", str(bom), root=workspace)
    assert result.exit_code == 0 and result.stderr == ""
    assert "date: 2024-04-02" in (workspace / "status" / "DHSC.yaml").read_text()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"recommendation,date,rag,summary\n9,2024-01-01,a,s\n", "row 1: no 'dept' column; required:"),
        (b"recommendation,dept,date,rag,summary\n9,DHSC,31/02/2024,a,s\n", "row 2, column date: '31/02/2024' is not a real date"),
        (b"recommendation,dept,date,rag,rag,summary\n9,DHSC,2024-01-01,a,a,s\n", "row 1: the column 'rag' appears twice"),
    ],
)
def test_a_spreadsheet_that_cannot_be_read_is_refused_by_name(
    run: Run, workspace: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_bytes(content)
    result = run("import", str(sheet), root=workspace)
    assert result.exit_code == 3 and message in result.stderr, result.stderr
    assert not list(workspace.glob("status/*.yaml"))
