"""The secretariat's own words in the workspace: the actions log (tracker action) and each
meeting's cover note, decisions asked and risks (meetings.yaml), and the paper that carries them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Run
from .test_reports import with_board

MEETINGS = """\
- meeting: 2025-07-03
  cover: |
    Three recommendations are red;
    two concern prisons.

    No department has made a return | this quarter.
  asks:
    - agree that the secretariat writes to DHSC about 27;
    - note the risks.
  risks:
    - kind: risk
      text: Funding after March is confirmed for one year only.
      owner: DHSC
      rating: amber
      mitigation: Ask for the settlement.
    - kind: issue
      text: No returns this quarter.
"""


@pytest.fixture
def boarded(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACKER_TODAY", "2025-06-30")
    return with_board(workspace)  # meetings 2025-03-31, 2025-07-03, 2025-10-02


def test_actions_are_added_updated_and_closed_by_appending(run: Run, boarded: Path) -> None:
    added = run("action", "add", "Write to DHSC about 27", "--owner", "Secretariat", "--due", "2025-06-01", root=boarded)
    assert added.exit_code == 0, added.stderr
    assert "A1 (raised 2025-03-31)" in added.stdout  # the board's latest meeting
    second = ("action", "add", "Ask DWP for evidence", "--owner", "DWP", "--recommendation", "3", "--recommendation", "3")
    assert run(*second, root=boarded).exit_code == 0
    first = (boarded / "actions.yaml").read_bytes()
    assert run("action", "update", "a1", "--status", "in-progress", "--note", "Letter drafted.", root=boarded).exit_code == 0
    assert run("action", "close", "2", "--note", "Evidence received.", root=boarded).exit_code == 0
    log = (boarded / "actions.yaml").read_bytes()
    assert log.startswith(first)  # appended: what was there stays byte for byte
    assert b"  recommendations: [3]\n" in log and b"- update: A2\n  date: 2025-06-30\n  status: done\n" in log
    assert run("check", root=boarded).exit_code == 0
    listed = json.loads(run("action", "list", "--format", "json", root=boarded).stdout)["actions"]
    assert [(a["ref"], a["status"], a["overdue"], a["note"]) for a in listed] == [
        ("A1", "in-progress", True, "Letter drafted."),
        ("A2", "done", False, "Evidence received."),
    ]
    assert [
        a["ref"] for a in json.loads(run("action", "list", "--open", "--format", "json", root=boarded).stdout)["actions"]
    ] == ["A1"]
    again = run("action", "close", "A2", root=boarded)
    assert again.exit_code == 0 and "already done: nothing was added" in again.stdout
    assert (boarded / "actions.yaml").read_bytes() == log
    text = run("action", "list", root=boarded).stdout
    assert "IN-PROGRESS OVERDUE" in text and "2 actions on 2025-06-30: 1 open, 1 overdue." in text
    assert (
        run("action", "list", "--format", "csv", root=boarded)
        .stdout.splitlines()[0]
        .startswith("\ufeffref,raised,text,owner,due")
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("add", "X", "--owner", "O", "--raised", "2025-05-01"), "2025-05-01 is not one of the board's meetings"),
        (("add", "X", "--owner", "O", "--due", "2025-01-01"), "is before the meeting that raised it"),
        (("add", "X", "--owner", "O", "--recommendation", "99"), "recommendation 99 does not exist"),
        (("add", "X", "--owner", "O", "--raised", "2025-07-03"), "is in the future"),
        (("update", "A7", "--note", "x"), "there is no action A7; the newest is A1"),
        (("update", "A1", "--status", "finished"), "'finished' is not one of"),
        (("update", "A1"), "give what changed"),
        (("update", "Z1", "--note", "x"), "is not an action's reference"),
        (("update", "A1", "--note", "x", "--date", "2025-01-01"), "was raised after 2025-01-01"),
        (("add", "X"), "--owner is required"),
        (("add", " ", "--owner", "O"), "is empty"),
    ],
)
def test_a_bad_action_is_refused_and_the_log_left_as_it_was(run: Run, boarded: Path, args: tuple[str, ...], says: str) -> None:
    assert run("action", "add", "First", "--owner", "O", root=boarded).exit_code == 0
    before = (boarded / "actions.yaml").read_bytes()
    result = run("action", *args, root=boarded)
    assert result.exit_code in (2, 3) and says in result.stderr and result.stderr.count("\n") == 1
    assert (boarded / "actions.yaml").read_bytes() == before


def test_a_log_broken_by_hand_is_reported_by_check_and_never_added_to(run: Run, boarded: Path) -> None:
    assert run("action", "add", "First", "--owner", "O", root=boarded).exit_code == 0
    log = boarded / "actions.yaml"
    log.write_bytes(log.read_bytes() + b"\n- update: A1\n  date: 2025-06-01\n  status: finished\n")
    checked = run("check", root=boarded)
    assert checked.exit_code == 1 and checked.stdout == (
        "actions.yaml:13: status: 'finished' is not one of: open, in-progress, done, dropped\n"
    )
    before = log.read_bytes()
    refused = run("action", "add", "Second", "--owner", "O", root=boarded)
    assert refused.exit_code == 3 and "mend the log first" in refused.stderr
    assert log.read_bytes() == before
    assert run("paper", root=boarded).exit_code == 3  # the paper says what the record says, or nothing
    log.write_text("[]\n")  # a log that cannot take a block at its end is never made unreadable
    refused = run("action", "add", "Second", "--owner", "O", root=boarded)
    assert refused.exit_code == 3 and log.read_text() == "[]\n"


def test_the_paper_carries_the_secretariats_words_for_its_meeting(run: Run, boarded: Path) -> None:
    (boarded / "meetings.yaml").write_text(MEETINGS)
    assert (
        run("action", "add", "Write to DHSC about 27", "--owner", "Secretariat", "--due", "2025-06-01", root=boarded).exit_code
        == 0
    )
    assert run("action", "add", "Closed one", "--owner", "DWP", root=boarded).exit_code == 0
    assert run("action", "close", "A2", "--note", "Done & dusted.", "--date", "2025-05-01", root=boarded).exit_code == 0
    assert (
        run("action", "add", "Raised at the last board", "--owner", "DWP", "--raised", "2025-03-31", root=boarded).exit_code == 0
    )
    assert run("check", root=boarded).exit_code == 0
    paper = run("paper", root=boarded).stdout  # for the meeting on 3 July 2025, since 31 March 2025
    sections = [line[3:] for line in paper.splitlines() if line.startswith("## ")]
    assert sections[:5] == ["Purpose", "At a glance, 30 June 2025", "The board is asked to", "Cover note", "Summary"]
    asked = paper[paper.index("## The board is asked to") : paper.index("## Cover note")]
    assert "- agree that the secretariat writes to DHSC about 27;\n- note the risks.\n" in asked
    assert "note the position" not in asked  # the secretariat's list replaces the drafted one
    assert "Three recommendations are red; two concern prisons.\n\nNo department has made a return \\| this quarter." in paper
    assert "- **Actions overdue (1):** A1 (Secretariat, 29 days late)." in paper
    actions = paper[paper.index("## Actions from the last meeting") : paper.index("## Risks and issues")]
    assert "| A1 | Write to DHSC about 27 | Secretariat | 2025-06-01 | **OVERDUE**, open |" in actions
    assert "| A2 | Closed one | DWP | none | done 2025-05-01: Done &amp; dusted. |" in actions  # & escaped for markdown
    assert "2 actions open at 30 June 2025 and 1 closed since 31 March 2025." in actions
    risks = paper[paper.index("## Risks and issues") : paper.index("## Chasing")]
    assert (
        "| Risk | Funding after March is confirmed for one year only. | DHSC | ▲ **AMBER** | Ask for the settlement. |" in risks
    )
    assert "| Issue | No returns this quarter. |   |   |   |" in risks
    assert run("paper", root=boarded).stdout == paper  # the same data give the same bytes
    for kind in ("docx", "html"):
        assert run("paper", "--format", kind, "--out", str(boarded.parent / f"p.{kind}"), root=boarded).exit_code == 0
    html = (boarded.parent / "p.html").read_text()
    assert "Cover note" in html and "Risks and issues" in html and "Actions from the last meeting" in html


def test_without_words_for_the_meeting_the_asks_are_drafted_and_nothing_is_invented(run: Run, boarded: Path) -> None:
    paper = run("paper", root=boarded).stdout
    assert "- note the position at 30 June 2025;" in paper
    assert "## Cover note" not in paper and "## Risks and issues" not in paper
    assert "No action is open, nor closed since 31 March 2025." in paper


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("- meeting: 2025-05-05\n", "meetings.yaml:1: meeting: 2025-05-05 is not one of the board's meetings"),
        ("- meeting: 2025-07-03\n- meeting: 2025-07-03\n", "meetings.yaml:2: meeting: 2025-07-03 has words already"),
        ("- meeting: 2025-07-03\n  risks:\n    - kind: threat\n      text: T\n", "meetings.yaml:3: kind: 'threat' is not one of"),
        (
            "- meeting: 2025-07-03\n  risks:\n    - kind: risk\n      text: T\n      rating: complete\n",
            "is not one of: red, amber",
        ),
        ("- meeting: 2025-07-03\n  cover: [a, b]\n", "cover must be a single value"),
        ("- meeting: 2025-07-03\n  covr: x\n", "did you mean 'cover'?"),
    ],
)
def test_check_reads_the_meetings_words_strictly(run: Run, boarded: Path, text: str, says: str) -> None:
    (boarded / "meetings.yaml").write_text(text)
    checked = run("check", root=boarded)
    assert checked.exit_code in (1, 3) and says in checked.stdout + checked.stderr


def test_the_readmes_examples_are_a_board_block_and_words_that_check_accepts(
    run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    board = next(b for b in blocks if b.startswith("board:"))
    words = next(b for b in blocks if b.startswith("- meeting:"))
    marker = workspace / "recommendations.yaml"
    marker.write_text(marker.read_text().replace("\ndepartments:\n", "\n" + board + "\ndepartments:\n", 1))
    (workspace / "meetings.yaml").write_text(words)
    monkeypatch.setenv("TRACKER_TODAY", "2026-12-04")
    example = re.search(r"\$ (tracker action add .*?)\nRecorded", readme, re.S)
    assert example is not None
    import shlex

    args = shlex.split(example.group(1).replace("\\\n", " "))[1:]
    added = run(*args, root=workspace)
    assert added.exit_code == 0, added.stderr
    assert added.stdout.splitlines()[1:] == readme[example.end() :].split("\n$", 1)[0].strip().splitlines()[1:]
    assert run("check", root=workspace).exit_code == 0
    paper = run("paper", "--meeting", "2026-12-10", root=workspace)
    assert paper.exit_code == 0 and "## Cover note" in paper.stdout and "## Risks and issues" in paper.stdout


def test_an_assessment_of_other_evidence_on_the_same_day_is_a_new_one(run: Run, workspace: Path) -> None:
    first = ("assess", "9", "--rag", "red", "--summary", "x", "--date", "2026-06-01", "--evidence-date", "2026-06")
    assert run(*first, root=workspace).exit_code == 0
    second = run(*first[:-1], "2024", root=workspace)
    assert second.exit_code == 0 and "Recorded assessments.yaml" in second.stdout
    assert (workspace / "assessments.yaml").read_text().count("- recommendation: 9\n") == 2


def test_the_board_block_keeps_its_dates_near_the_review(run: Run, workspace: Path) -> None:
    marker = workspace / "recommendations.yaml"
    block = "\nboard:\n  meetings: [2020-01-01, {date: 2026-12-10, returns_by: 0001-01-01}]\n"
    marker.write_text(marker.read_text().replace("\ndepartments:\n", block + "\ndepartments:\n", 1))
    out = run("check", root=workspace).stdout
    assert "meetings: 2020-01-01 is before the review was published (2021-07-08)" in out
    assert "returns_by: 0001-01-01 is more than a year before the meeting on 2026-12-10" in out


def test_what_the_secretariat_writes_is_shown_as_written(run: Run, boarded: Path) -> None:
    (boarded / "meetings.yaml").write_text(
        "- meeting: 2025-07-03\n  cover: |\n    1. numbered\n\n    ---\n\n    + plus\n  asks:\n    - '- ---'\n    - 2) two\n"
        + "  risks:\n"
        + "".join(f"    - kind: risk\n      text: Risk {i}\n" for i in range(30))
    )
    assert run("action", "add", "Not a character: \ufffe.", "--owner", "O", root=boarded).exit_code == 0
    assert run("check", root=boarded).exit_code == 0
    paper = run("paper", root=boarded).stdout
    assert "| Not a character: . |" in paper
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(paper)
    assert "<ol" not in html and "<hr" not in html and "\ufffe" not in paper
    assert "<li>- ---</li>" in html and "<li>2) two</li>" in html and "<p>1. numbered</p>" in html
    assert "| Risk | Risk 24 |" in paper and "Risk 25 |" not in paper and "And 5 more, in meetings.yaml." in paper
    (boarded / "meetings.yaml").write_text("- meeting: 2025-07-03\n  asks: [null, '']\n")
    checked = run("check", root=boarded)
    assert checked.exit_code == 1 and checked.stdout.count("asks: an empty item") == 2


def test_the_log_is_added_to_in_its_own_line_ends_through_its_link_and_never_when_read_only(
    run: Run, boarded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    log = boarded / "actions.yaml"
    log.write_bytes(b"# the log\r- action: A1\r  raised: 2025-03-31\r  text: First\r  owner: O\r")
    added = run("action", "add", "Second", "--owner", "O", root=boarded)
    assert added.exit_code == 0 and "Recorded actions.yaml:7" in added.stdout
    assert b"\n" not in log.read_bytes() and run("check", root=boarded).exit_code == 0
    log.write_text("[]\n")
    refused = run("action", "add", "Third", "--owner", "O", root=boarded)
    assert refused.exit_code == 3 and "cannot take a block at its end" in refused.stderr and log.read_text() == "[]\n"
    real = boarded / "kept" / "log.yaml"
    real.parent.mkdir()
    log.unlink()
    real.write_text("")
    log.symlink_to(real)
    assert run("action", "add", "Linked", "--owner", "O", root=boarded).exit_code == 0
    assert log.is_symlink() and "Linked" in real.read_text()
    if os.geteuid() != 0:  # root writes whatever the mode says
        real.chmod(0o444)
        refused = run("action", "add", "Read-only", "--owner", "O", root=boarded)
        assert refused.exit_code == 3 and "is read-only" in refused.stderr
    monkeypatch.setenv("TRACKER_TODAY", "9999-12-31")
    (boarded / "recommendations.yaml").write_text((boarded / "recommendations.yaml").read_text())
    late = run("action", "add", "At the end of time", "--owner", "O", root=boarded)
    assert late.exit_code in (0, 2, 3) and "Traceback" not in late.stderr


def test_check_counts_the_actions_where_there_is_a_log(run: Run, boarded: Path) -> None:
    assert "actions" not in json.loads(run("check", "--format", "json", root=boarded).stdout)
    assert run("action", "add", "First", "--owner", "O", root=boarded).exit_code == 0
    assert run("check", root=boarded).stdout.endswith(", 0 assessments, 1 action, no problems\n")
    assert json.loads(run("check", "--format", "json", root=boarded).stdout)["actions"] == 1
