"""Withdrawing and correcting returns and assessments: appended records, never edits."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run
from .test_reports import by_number, report

DAY = ("--date", "2024-03-01")


def owner(document: dict[str, object], number: int, dept: str) -> dict[str, object]:
    return next(o for o in by_number(document)[number]["owners"] if o["dept"] == dept)  # type: ignore[attr-defined, union-attr, no-any-return]


def test_a_withdrawn_return_no_longer_counts_and_stays_in_its_file(run: Run, workspace: Path) -> None:
    assert run("update", "20", "--dept", "DWP", "--rag", "g", "--summary", "Test row", *DAY, root=workspace).exit_code == 0
    before = (workspace / "status" / "DWP.yaml").read_text()
    result = run("withdraw", "20", "--dept", "DWP", *DAY, "--why", "Imported by accident", root=workspace)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Withdrew DWP's 2024-03-01 GREEN on recommendation 20 (status/DWP.yaml:7)")
    after = (workspace / "status" / "DWP.yaml").read_text()
    assert (
        after.startswith(before)
        and "- withdraw:\n    recommendation: 20\n    date: 2024-03-01\n  why: Imported by accident" in after
    )
    assert owner(report(run, workspace, "--as-of", "2024-03-31"), 20, "DWP")["rag"] == "no_return"
    assert run("export", root=workspace).stdout.count("\n") == 1  # the header alone
    shown = " ".join(run("show", "20", root=workspace).stdout.split())
    assert "withdrew DWP's 2024-03-01 GREEN (status/DWP.yaml:7)" in shown and "why: Imported by accident" in shown
    assert run("check", root=workspace).exit_code == 0
    again = run("withdraw", "20", "--dept", "DWP", *DAY, "--why", "Twice", root=workspace)
    assert again.exit_code == 3 and "names no entry on recommendation 20 dated 2024-03-01 still in force" in again.stderr
    assert (workspace / "status" / "DWP.yaml").read_text() == after


def test_a_corrected_rating_counts_from_then_on_and_is_not_read_as_getting_worse(run: Run, workspace: Path) -> None:
    run("update", "9", "--dept", "DHSC", "--rag", "g", "--summary", "Plan agreed", "--date", "2024-01-10", root=workspace)
    run("update", "9", "--dept", "DHSC", "--rag", "r", "--summary", "Curricula agreed", *DAY, root=workspace)
    assert owner(report(run, workspace, "--as-of", "2024-03-31"), 9, "DHSC")["trend"] == "worse"
    result = run("correct", "9", "--dept", "DHSC", *DAY, "--rag", "green", "--why", "RED typed for GREEN", root=workspace)
    assert result.exit_code == 0, result.stderr
    assert "rag: RED -> GREEN" in result.stdout
    dhsc = owner(report(run, workspace, "--as-of", "2024-03-31"), 9, "DHSC")
    assert (dhsc["rag"], dhsc["trend"]) == ("green", "same")
    document = json.loads(run("show", "9", "--format", "json", root=workspace).stdout)
    assert document["corrections"][0]["kind"] == "correct" and document["corrections"][0]["now"]["rag"] == "green"
    assert [r["rag"] for r in document["owners"][0]["returns"]] == ["green", "green"]


def test_the_boards_assessment_can_be_withdrawn_too(run: Run, workspace: Path) -> None:
    run("assess", "11", "--rag", "red", "--summary", "Wrong recommendation", *DAY, root=workspace)
    assert by_number(report(run, workspace))[11]["rag"] == "red"
    result = run("withdraw", "11", "--board", *DAY, "--why", "Meant for 12", root=workspace)
    assert result.exit_code == 0 and result.stdout.startswith("Withdrew the board's 2024-03-01 RED")
    assert by_number(report(run, workspace))[11]["assessment"] is None


def test_check_rejects_corrections_that_name_nothing_or_more_than_one(run: Run, workspace: Path) -> None:
    (workspace / "status" / "DWP.yaml").write_text(
        "- recommendation: 20\n  dept: DWP\n  date: 2024-03-01\n  rag: green\n  summary: a\n  author: x\n"
        "- recommendation: 20\n  dept: DWP\n  date: 2024-03-01\n  rag: amber\n  summary: b\n  author: x\n"
        "- withdraw:\n    recommendation: 20\n    date: 2024-03-01\n  why: w\n  author: x\n  date: 2024-04-01\n"
        "- withdraw:\n    recommendation: 20\n    date: 2024-02-01\n  why: w\n  author: x\n  date: 2024-04-01\n"
        "- withdraw:\n    recommendation: 20\n    date: 2024-03-01\n    line: 7\n  why: w\n  author: x\n  date: 2024-04-01\n"
        "- withdraw:\n    recommendation: 20\n    date: 2024-03-01\n    line: 7\n  why: again\n  author: x\n  date: 2024-04-02\n"
    )
    result = run("check", root=workspace)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any("status/DWP.yaml:13:" in line and "names 2 entries" in line and "on lines 1, 7" in line for line in lines)
    assert any("status/DWP.yaml:19:" in line and "names no entry on recommendation 20 dated 2024-02-01" in line for line in lines)
    assert any("status/DWP.yaml:32:" in line and "still in force" in line for line in lines)  # already withdrawn
    assert not any(":25:" in line for line in lines)


def test_a_correction_keeps_the_rules_of_a_return(run: Run, workspace: Path) -> None:
    run("update", "9", "--dept", "NHSE", "--rag", "a", "--summary", "s", *DAY, root=workspace)
    result = run(
        "correct", "9", "--dept", "NHSE", *DAY, "--target-date", "2025-01-01", "--reason", "r", "--why", "w", root=workspace
    )
    assert result.exit_code == 3 and "only a lead moves the target date" in result.stderr
    result = run("correct", "9", "--dept", "NHSE", *DAY, "--why", "nothing", root=workspace)
    assert result.exit_code == 3 and "changes nothing: give a new rating" in result.stderr
    result = run("withdraw", "9", "--date", "2024-03-01", "--why", "w", root=workspace)
    assert result.exit_code == 2 and "--dept D" in result.stderr


def test_a_corrected_entry_keeps_its_place_among_entries_of_its_day(run: Run, workspace: Path) -> None:
    run("assess", "9", "--rag", "red", "--summary", "First reading", *DAY, root=workspace)
    run("assess", "9", "--rag", "green", "--summary", "Second reading, recorded later", *DAY, root=workspace)
    result = run("correct", "9", "--board", *DAY, "--line", "7", "--rag", "amber", "--why", "First was amber", root=workspace)
    assert result.exit_code == 0, result.stderr
    assert by_number(report(run, workspace))[9]["assessment"]["rag"] == "green"  # type: ignore[index]  # the later still counts
    result = run("correct", "9", "--board", *DAY, "--why", "which?", "--rag", "red", root=workspace)
    assert (
        result.exit_code == 3
        and "assessments.yaml: names 2 entries" in result.stderr
        and "say which with --line" in result.stderr
    )


def test_a_correction_is_never_appended_to_a_file_that_would_be_rewritten(run: Run, workspace: Path) -> None:
    path = workspace / "status" / "DWP.yaml"
    path.write_text(
        "  - recommendation: 20\n    dept: DWP\n    date: 2025-01-10\n    rag: red\n    summary: First\n    author: A\n"
        "  - recommendation: 20\n    dept: DWP\n    date: 2025-01-10\n    rag: green\n    summary: Second\n    author: A\n"
    )
    before = path.read_bytes()
    result = run("withdraw", "20", "--dept", "DWP", "--date", "2025-01-10", "--line", "7", "--why", "typo", root=workspace)
    assert result.exit_code == 3 and "rewrite it as a block list before correcting it" in result.stderr
    assert path.read_bytes() == before


def test_an_entry_withdrawn_is_not_recorded_again_as_if_new(run: Run, workspace: Path, tmp_path: Path) -> None:
    args = ("update", "20", "--dept", "DWP", "--rag", "g", "--summary", "Roll-out done", "--date", "2025-01-10")
    run(*args, root=workspace)
    run("withdraw", "20", "--dept", "DWP", "--date", "2025-01-10", "--why", "not yet", root=workspace)
    result = run(*args, root=workspace)
    assert result.exit_code == 3 and "was recorded and then withdrawn or corrected (status/DWP.yaml:7)" in result.stderr
    sheet = tmp_path / "again.csv"
    sheet.write_text("recommendation,dept,date,rag,summary\n20,DWP,2025-01-10,green,Roll-out done\n")
    result = run("import", str(sheet), root=workspace)
    assert result.exit_code == 0 and "1 row matches entries withdrawn or corrected since: not added again" in result.stderr
    assert result.stdout.startswith("imported 0 returns") and "0 already recorded" in result.stdout


def test_a_correction_dated_before_the_entry_it_changes_is_found_by_check(run: Run, workspace: Path) -> None:
    (workspace / "status" / "DWP.yaml").write_text(
        "- recommendation: 20\n  dept: DWP\n  date: 2025-01-10\n  rag: red\n  summary: a\n  author: x\n"
        "- withdraw:\n    recommendation: 20\n    date: 2025-01-10\n  why: w\n  author: x\n  date: 2024-01-01\n"
    )
    result = run("check", root=workspace)
    assert result.exit_code == 1 and "is dated 2024-01-01, before the entry it changes (2025-01-10)" in result.stdout
