"""The commands as a board secretary or a CI job runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import typer

from tracker import db
from tracker.cli import app

from .conftest import DATA, REPO, Run


def test_every_command_has_help_and_is_documented_in_the_readme(run: Run) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = set(typer.main.get_group(app).commands)
    documented = set(re.findall(r"^\| `tracker ([a-z-]+)", readme, re.M))
    assert not commands - documented, f"the README's table of commands lacks {sorted(commands - documented)}"
    assert not documented - commands, f"the README's table of commands names {sorted(documented - commands)}, not commands"
    for name in commands:
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage: " in result.stdout
        help_text = typer.main.get_group(app).commands[name].help
        assert help_text and help_text.strip(), f"tracker {name} has no one-line help"


def test_init_makes_a_workspace_with_the_default_data(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "board"
    result = run("init", str(target))
    assert result.exit_code == 0, result.stderr
    assert (target / "recommendations.yaml").read_bytes() == (REPO / "recommendations.yaml").read_bytes()
    assert (target / "status").is_dir() and "tracker.db" in (target / ".gitignore").read_text()
    assert run("check", root=target).exit_code == 0


def test_init_never_overwrites_a_workspace(run: Run, workspace: Path) -> None:
    (workspace / "recommendations.yaml").write_text("mine\n")
    result = run("init", str(workspace))
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert (workspace / "recommendations.yaml").read_text() == "mine\n"


def test_check_passes_on_the_repository_data(run: Run, repository: Path) -> None:
    result = run("check", root=repository)
    # The suite runs on conftest.TODAY: an entry of the record dated after it is "in the future" here.
    assert result.exit_code == 0, result.stdout + ("move conftest.TODAY on" if "in the future" in result.stdout else "")
    assert re.fullmatch(
        r"ok: 32 recommendations, 22 departments, \d+ returns, \d+ assessments, 6 outcomes, 11 measures, \d+ outcome values,"
        r" no problems\n",
        result.stdout,
    )


def test_check_lists_every_problem_and_exits_1(run: Run, minimal: Path) -> None:
    text = (minimal / "recommendations.yaml").read_text()
    text = text.replace("      - dept: MHCLG\n        role: lead", "      - dept: MHCLG\n        role: support")
    text = text.replace(
        "    owners:\n      - dept: DHSC\n        role: lead\n", "    ownrs:\n      - dept: DHSC\n        role: lead\n"
    )
    (minimal / "recommendations.yaml").write_text(text)
    result = run("check", root=minimal)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "recommendations.yaml:33: recommendation 1: ownrs: unknown key in a recommendation; did you mean 'owners'?",
        "recommendations.yaml:27: recommendation 1: owners: has no owner",
        "recommendations.yaml:48: recommendation 2: owners: has no lead owner (role: lead)",
    ]
    assert result.stderr == "3 problems found\n"


def test_check_github_format_annotates_the_pull_request(run: Run, minimal: Path) -> None:
    shutil.copy(DATA / "bad" / "no-lead.yaml", minimal / "recommendations.yaml")
    result = run("check", "--format", "github", root=minimal)
    assert result.exit_code == 1
    annotation = "::error file=recommendations.yaml,line=49,title=tracker check::"
    assert result.stdout == annotation + "recommendation 2: owners: has no lead owner (role: lead)\n"


def test_check_github_format_annotates_unreadable_files_too(run: Run, minimal: Path) -> None:
    shutil.copy(DATA / "bad" / "python-tag.yaml", minimal / "recommendations.yaml")
    result = run("check", "--format", "github", root=minimal)
    assert result.exit_code == 3
    assert result.stdout.startswith(
        "::error file=recommendations.yaml,line=31,title=tracker check::recommendation 1: title: the tag"
    )


def test_check_json_format_is_machine_readable(run: Run, minimal: Path) -> None:
    ok = json.loads(run("check", "--format", "json", root=minimal).stdout)
    assert ok == {"ok": True, "recommendations": 2, "departments": 2, "returns": 0, "assessments": 0, "problems": []}
    shutil.copy(DATA / "bad" / "impossible-date.yaml", minimal / "recommendations.yaml")
    result = run("check", "--format", "json", root=minimal)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"] == [
        {
            "file": "recommendations.yaml",
            "line": 39,
            "recommendation": 1,
            "field": "date",
            "message": "2021-02-30 is not a real date",
            "fatal": False,
        }
    ]


BAD = sorted((DATA / "bad").glob("*.yaml"))


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
@pytest.mark.parametrize("command", [("check",), ("list",), ("show", "1"), ("departments",), ("load",)])
def test_bad_data_gives_one_line_and_leaves_the_database_alone(
    run: Run, minimal: Path, path: Path, command: tuple[str, ...]
) -> None:
    assert run("load", root=minimal).exit_code == 0
    before = (minimal / db.NAME).read_bytes()
    expected_exit = int(path.read_bytes()[len(b"# expect: exit=")] - ord("0"))
    shutil.copy(path, minimal / "recommendations.yaml")
    result = run(*command, root=minimal)
    if command == ("check",):
        assert result.exit_code == expected_exit
    else:
        assert result.exit_code == 3
        assert result.stdout == ""
        assert re.fullmatch(r"tracker: error: recommendations\.yaml(:\d+)?: [^\n]+\n", result.stderr), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert (minimal / db.NAME).read_bytes() == before


def test_list_shows_every_recommendation_in_80_columns(run: Run, repository: Path) -> None:
    result = run("list", root=repository)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    numbers = [int(m.group(1)) for line in lines if (m := re.match(r"\s*(\d+)\s+\d", line))]
    assert numbers == list(range(1, 33))
    assert "\x1b[" not in result.stdout


def list_numbers(run: Run, repository: Path, *args: str) -> list[int]:
    result = run("list", *args, "--format", "json", root=repository)
    assert result.exit_code == 0, result.stderr
    return [r["number"] for r in json.loads(result.stdout)["recommendations"]]


def test_list_by_department_accepts_codes_names_and_former_names(run: Run, repository: Path) -> None:
    mhclg = list_numbers(run, repository, "--dept", "MHCLG")
    assert mhclg == [2, 3, 4, 23]
    assert list_numbers(run, repository, "--dept", "DLUHC") == mhclg
    assert list_numbers(run, repository, "--dept", "department for levelling up, housing and communities") == mhclg
    assert (
        list_numbers(run, repository, "--dept", "Office for Health Promotion")
        == list_numbers(run, repository, "--dept", "OHID")
        == [6, 8, 12, 14, 15, 20, 26, 29]
    )


def test_list_by_department_includes_work_inherited_through_mergers(run: Run, repository: Path) -> None:
    assert 9 in list_numbers(run, repository, "--dept", "NHSE") and 25 in list_numbers(run, repository, "--dept", "NHSE")
    assert list_numbers(run, repository, "--dept", "HEE") == [9, 25]
    assert list_numbers(run, repository, "--dept", "DSIT") == list_numbers(run, repository, "--dept", "BEIS") == [31]


def test_list_by_section_and_department_combine(run: Run, repository: Path) -> None:
    assert list_numbers(run, repository, "--section", "3.1") == [9, 10]
    assert list_numbers(run, repository, "--section", "3.11") == [24, 25, 26]
    assert list_numbers(run, repository, "--section", "4") == [28, 29, 30]
    assert list_numbers(run, repository, "--section", "3", "--dept", "DWP") == [18, 20, 21, 22]


def test_list_with_an_unknown_department_says_which_exist(run: Run, repository: Path) -> None:
    result = run("list", "--dept", "Ministry of Magic", root=repository)
    assert result.exit_code == 3
    assert "unknown department 'Ministry of Magic'; known codes: HO, JCDU, DHSC" in result.stderr


def test_list_json_names_todays_body_and_the_one_named(run: Run, repository: Path) -> None:
    recs = json.loads(run("list", "--format", "json", root=repository).stdout)["recommendations"]
    support = recs[8]["owners"][1]
    assert (support["dept"], support["named_as"], support["name_when_made"]) == ("NHSE", "HEE", "Health Education England")
    assert recs[8]["deadline"] == "2021-12-31" and recs[8]["deadline_words"] == "by the end of 2021"


def test_list_csv_has_a_header_and_a_row_per_recommendation(run: Run, repository: Path) -> None:
    listed = run("list", "--format", "csv", root=repository).stdout
    assert listed.startswith("\ufeff")  # a spreadsheet reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(listed.removeprefix("\ufeff"))))
    assert len(rows) == 32
    assert rows[30] == {
        "number": "31",
        "section": "§5",  # text, as every spreadsheet keeps it: 3.10 is never the number 3.1
        "title": "More research into what works",
        "lead": "DHSC DSIT",
        "support": "",
        "deadline": "",
        "deadline_words": "",
    }


def test_show_prints_the_text_owners_deadline_and_response(run: Run, repository: Path) -> None:
    result = run("show", "9", root=repository)
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "Recommendation 9: Workforce strategy and standards from Health Education England" in out
    assert "We recommend that DHSC commission HEE to devise by the end of 2021" in out
    assert "named in the review: HEE, Health Education England" in out
    assert "2023-04-01: Health Education England merged into NHS England" in out
    assert "Deadline: 2021-12-31 (“by the end of 2021”)" in out
    assert "accepted (board's assessment)" in out


def test_show_gives_the_name_a_renamed_owner_had_in_the_review(run: Run, repository: Path) -> None:
    out = " ".join(run("show", "6", root=repository).stdout.split())
    assert "OHID lead Office for Health Improvement and Disparities; named in the review: Office for Health Promotion" in out
    assert "2021-10-01: renamed Office for Health Improvement and Disparities" in out


def test_show_tells_whose_assignment_a_lead_is(run: Run, repository: Path) -> None:
    out = " ".join(run("show", "1", root=repository).stdout.split())
    assert "The review addresses the government." in out and "assigned by the board" in out


def test_show_json_has_the_full_record(run: Run, repository: Path) -> None:
    record = json.loads(run("show", "31", "--format", "json", root=repository).stdout)
    assert record["text"].startswith("We recommend that DHSC and BEIS")
    beis = record["owners"][1]
    assert (beis["dept"], beis["named_as"]) == ("DSIT", "BEIS")
    assert [r["date"] for r in record["responses"]] == ["2021-07-27", "2021-12-06"]


def test_show_an_unknown_recommendation(run: Run, repository: Path) -> None:
    result = run("show", "33", root=repository)
    assert (result.exit_code, result.stderr) == (3, "tracker: error: recommendation 33 does not exist (there are 1 to 32)\n")
    assert run("show", "nine", root=repository).exit_code == 2


def test_departments_shows_renames_mergers_and_what_each_owns(run: Run, repository: Path) -> None:
    result = run("departments", "--format", "json", root=repository)
    depts = {d["code"]: d for d in json.loads(result.stdout)["departments"]}
    assert depts["HEE"]["current"] == "NHSE" and depts["BEIS"]["current"] == "DSIT"
    assert depts["MHCLG"]["current"] == "MHCLG" and "DLUHC" in depts["MHCLG"]["aliases"]
    assert [e["date"] for e in depts["MHCLG"]["history"]] == ["2021-09-19", "2024-07-08"]
    assert depts["OHID"]["part_of"] == "DHSC" and "Office for Health Promotion" in depts["OHID"]["aliases"]
    assert depts["DWP"]["lead"] == [3, 4, 20, 21, 22] and depts["DWP"]["support"] == [2, 18]
    table = " ".join(run("departments", root=repository).stdout.split())
    assert "its work is now NHSE's" in table and "its work is now DSIT's" in table
    assert "DSIT Department for Science, Innovation 31 (from BEIS)" in table
    assert depts["NHSE"]["owns_today"]["support"] == [
        {"number": 9, "from": "HEE"},
        {"number": 15, "from": None},
        {"number": 25, "from": "HEE"},
    ]
    assert depts["DSIT"]["owns_today"]["lead"] == [{"number": 31, "from": "BEIS"}]


def test_load_syncs_and_rebuilds(run: Run, workspace: Path) -> None:
    result = run("load", root=workspace)
    assert result.exit_code == 0
    assert result.stdout.endswith("in sync: 32 recommendations, 22 departments, 0 returns, 0 assessments\n")
    result = run("load", "--rebuild", root=workspace)
    assert "rebuilt: 32 recommendations" in result.stdout


def test_the_workspace_is_found_from_a_subfolder_or_tracker_root(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = workspace / "status"
    monkeypatch.chdir(sub)
    assert run("show", "1").exit_code == 0
    monkeypatch.chdir(workspace.parent)
    assert run("show", "1").exit_code == 2
    monkeypatch.setenv("TRACKER_ROOT", str(workspace))
    assert run("show", "1").exit_code == 0


def test_tracker_today_is_the_day_every_command_works_on(run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_TODAY", "2024-03-05")
    result = run("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", root=workspace)
    assert result.exit_code == 0, result.stderr
    assert "  date: 2024-03-05\n" in (workspace / "status" / "DHSC.yaml").read_text()
    assert run("report", root=workspace).stdout.startswith("RAG report as at 2024-03-05 ")
    tomorrow = run("update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--date", "2024-03-06", root=workspace)
    assert tomorrow.exit_code == 3 and "is in the future" in tomorrow.stderr


def test_an_empty_tracker_today_is_the_clocks_day(run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.commands import _context

    class Clock(date):
        @classmethod
        def today(cls) -> Clock:
            return cls(2023, 4, 5)

    monkeypatch.setattr(_context, "date", Clock)
    monkeypatch.setenv("TRACKER_TODAY", "")
    assert run("report", root=workspace).stdout.startswith("RAG report as at 2023-04-05 ")


@pytest.mark.parametrize(
    "value, message",
    [
        ("2026-02-30", "2026-02-30 is not a real date"),
        ("tomorrow", "'tomorrow' is not a date written YYYY-MM-DD"),
        ("20261201", "'20261201' is not a date written YYYY-MM-DD"),
    ],
)
def test_a_malformed_tracker_today_is_a_usage_error_for_every_command(
    run: Run, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv("TRACKER_TODAY", value)
    update = ["update", "9", "--dept", "DHSC", "--rag", "a", "--summary", "s", "--date", "2024-01-01"]
    for command in (["report"], ["list"], ["check"], update, ["init", str(tmp_path / "new")], ["completion", "bash"]):
        result = run(*command, root=workspace)
        assert (result.exit_code, result.stdout) == (2, ""), command
        assert result.stderr == f"tracker: error: TRACKER_TODAY: {message}\n", command
    assert sorted(p.name for p in workspace.rglob("*")) == ["recommendations.yaml", "status"]
    assert not (tmp_path / "new").exists()


def test_outside_a_workspace_the_error_says_how_to_make_one(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("list")
    assert result.exit_code == 2
    assert "tracker init DIR" in result.stderr and "\n" == result.stderr[-1] and result.stderr.count("\n") == 1


def test_user_text_cannot_restyle_the_terminal(run: Run, minimal: Path) -> None:
    path = minimal / "recommendations.yaml"
    path.write_text(path.read_text().replace("title: Fund the treatment system", 'title: "[red]Fund[/red] \\e[31mit [/]"'))
    result = run("show", "1", root=minimal)
    assert result.exit_code == 0
    assert "[red]Fund[/red] [31mit [/]" in result.stdout and "\x1b" not in result.stdout


def test_check_trusts_a_database_that_holds_the_files_unchanged(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("load", root=workspace).exit_code == 0

    def refuse(*args: object) -> None:
        raise AssertionError("parsed the YAML again")

    from tracker.yamlio import recommendations

    monkeypatch.setattr(recommendations, "parse_recommendations", refuse)
    result = run("check", root=workspace)
    assert (result.exit_code, result.stdout) == (
        0,
        "ok: 32 recommendations, 22 departments, 0 returns, 0 assessments, no problems\n",
    )


def test_check_does_not_trust_a_database_built_by_other_rules(run: Run, workspace: Path) -> None:
    assert run("load", root=workspace).exit_code == 0
    conn = sqlite3.connect(workspace / db.NAME)
    with conn:
        conn.execute("UPDATE meta SET value = 'schema 6; code 0' WHERE key = 'built_by'")
    conn.close()
    text = (workspace / "recommendations.yaml").read_text()
    # A change that keeps the file's size and modification time would go unseen; a new version must not.
    stat = (workspace / "recommendations.yaml").stat()
    (workspace / "recommendations.yaml").write_text(text.replace("role: lead", "role: lea_", 1))
    os.utime(workspace / "recommendations.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = run("check", root=workspace)
    assert result.exit_code == 1 and "'lea_' is not one of: lead, support" in result.stdout


def test_check_neutralises_escape_sequences_from_the_data(run: Run, workspace: Path) -> None:
    block = '- recommendation: 1\n  dept: "H\\e[31mO"\n  date: 2024-01-01\n  rag: red\n  summary: s\n  author: a\n'
    (workspace / "status" / "HO.yaml").write_text(block + '  "\\e]52;c;cHduZWQ=\\a": 1\n')
    for format in ("text", "github"):
        result = run("check", "--format", format, root=workspace)
        assert result.exit_code == 1 and "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "H[31mO" in result.stdout


@pytest.mark.parametrize("made_by_another_program", ["PRAGMA user_version = 5", "PRAGMA user_version = 99", "CREATE TABLE t (x)"])
def test_a_database_tracker_did_not_build_is_rebuilt(run: Run, workspace: Path, made_by_another_program: str) -> None:
    conn = sqlite3.connect(workspace / db.NAME)
    conn.execute(made_by_another_program)
    conn.close()
    result = run("report", "--format", "json", root=workspace)
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"]["no_return"] == 32


def test_an_empty_rag_filter_filters_nothing(run: Run, repository: Path) -> None:
    result = run("report", "--rag", "", "--as-of", "2025-12-31", "--format", "json", root=repository)
    assert result.exit_code == 0 and len(json.loads(result.stdout)["recommendations"]) == 32
