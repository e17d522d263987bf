"""tracker chase: who owes returns for the next board, and a request ready to send."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from .conftest import TODAY, Run
from .test_reports import HISTORY, file_returns, with_board


@pytest.fixture
def board(workspace: Path) -> Path:
    file_returns(workspace, HISTORY)
    return workspace


def owes(run: Run, root: Path, *args: str) -> dict[str, dict[int, dict[str, object]]]:
    result = run("chase", "--format", "json", *args, root=root)
    assert result.exit_code == 0, result.stderr
    return {d["dept"]: {o["number"]: o for o in d["owes"]} for d in json.loads(result.stdout)["departments"]}


def test_a_department_with_a_return_in_the_window_is_not_chased(run: Run, board: Path) -> None:
    chased = owes(run, board, "--by", "2025-06-30")
    assert 28 not in chased.get("DfE", {})  # DfE reported on 28 on 2025-06-30
    assert 20 not in chased["DWP"]  # DWP reported on 20 (and on 21, but not yet for Jobcentre Plus)
    assert chased["DWP"][21]["roles"] == [{"role": "support", "for": "JCP"}]
    assert chased["MHCLG"][23] == {
        "number": 23,
        "title": "Understand the housing needs of people in treatment",
        "roles": [{"role": "lead", "for": None}],
        "target_date": "2021-10-27",
        "last_update": None,
        "last_rag": None,
        "days_ago": None,
        "last_summary": None,
    }
    later = owes(run, board, "--by", "2025-10-01")
    assert later["DWP"][21]["last_update"] == "2025-06-10"
    assert later["DWP"][21]["days_ago"] == (TODAY - date(2025, 6, 10)).days  # counted from today
    assert later["DWP"][21]["roles"] == [{"role": "lead", "for": None}, {"role": "support", "for": "JCP"}]
    assert 20 not in later["DWP"]  # COMPLETE needs no further returns


def test_nobody_is_chased_on_a_recommendation_the_board_has_assessed_complete(run: Run, board: Path) -> None:
    assert 23 in owes(run, board, "--by", "2025-06-30")["MHCLG"]
    done = ("assess", "23", "--rag", "complete", "--summary", "Needs assessed and published.", "--date", "2025-06-01")
    assert run(*done, root=board).exit_code == 0
    assert 23 not in owes(run, board, "--by", "2025-06-30").get("MHCLG", {})
    paper = run("paper", "--as-of", "2025-06-30", root=board).stdout
    chasing = paper.split("## Chasing")[1].split("##")[0]
    assert "| MHCLG |" not in chasing or "**23**" not in chasing.split("| MHCLG |")[1].split("\n")[0]


def test_bodies_are_chased_through_their_successor_or_the_department_they_report_via(run: Run, board: Path) -> None:
    chased = owes(run, board, "--by", "2025-06-30")
    assert "HEE" not in chased and "BEIS" not in chased and "LA" not in chased and "JCP" not in chased
    assert chased["NHSE"][25]["roles"] == [{"role": "support", "for": None}]  # made to HEE, now NHS England's
    assert chased["OHID"][11]["roles"] == [{"role": "lead", "for": "LA"}]
    result = run("chase", "--dept", "local authorities", "--by", "2025-06-30", root=board)
    assert result.stdout == "LA owes no returns for the board on 2025-06-30; its returns are made by OHID\n"


def test_chase_defaults_to_the_next_meeting_and_lists_as_text_and_csv(run: Run, board: Path) -> None:
    with_board(board)
    marker = board / "recommendations.yaml"
    marker.write_text(marker.read_text().replace("2025-10-02]", "2025-10-02, 2099-01-15]"))
    text = run("chase", root=board).stdout
    assert text.startswith("Returns owed by 2099-01-08 for the board on 2099-01-15: no return in the 90 days to 2099-01-08.")
    assert text.rstrip().splitlines()[-1].endswith("returns.")
    chased = run("chase", "--format", "csv", "--by", "2025-06-30", root=board).stdout
    assert chased.startswith("\ufeff")  # a spreadsheet reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(chased.removeprefix("\ufeff"))))
    assert list(rows[0]) == ["dept", "number", "title", "role", "target_date", "last_update", "last_rag", "days_ago", "by"]
    assert {"dept": "OHID", "number": "11", "role": "lead for LA"}.items() <= next(r for r in rows if r["number"] == "11").items()


def test_a_request_to_one_department_is_ready_to_send(run: Run, board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_board(board)
    monkeypatch.setenv("TRACKER_TODAY", "2025-09-01")  # the requests go out before the returns are due
    request = run("chase", "--dept", "DWP", "--by", "2025-10-01", "--format", "markdown", root=board).stdout
    assert request.startswith("# Returns requested from Department for Work and Pensions (DWP)\n")
    assert "Northshire Combating Drugs Partnership asks Department for Work and Pensions for returns on the" in request
    assert "before its next meeting" in request  # 2025-10-01 is not one of the board's meetings
    assert (
        "| 21 | Peer mentors in every Jobcentre Plus area | lead; support for JCP | 27 October 2021 | 2025-06-10 AMBER |"
        in request
    )
    assert (
        "- **21. Peer mentors in every Jobcentre Plus area** (Yours, 10 June 2025, AMBER): “Test funding ends in March.”"
        in request
    )
    assert "tracker pack" not in request  # nothing meant for the secretariat
    on_the_day = run("chase", "--dept", "DWP", "--by", "2025-10-02", "--format", "markdown", root=board).stdout
    assert "by **25 September 2025**, for its meeting on 2 October 2025" in on_the_day  # a week before, by default
    monkeypatch.setenv("TRACKER_TODAY", "2025-09-30")  # after the deadline: as soon as they can
    late = run("chase", "--dept", "DWP", "--by", "2025-10-02", "--format", "markdown", root=board).stdout
    assert "as soon as you can (they were due by **25 September 2025**), for its meeting on 2 October 2025" in late
    result = run("chase", "--format", "markdown", root=board)
    assert result.exit_code == 2 and "name it with --dept" in result.stderr


def test_letters_to_every_department_that_owes_in_one_command(
    run: Run, board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docx  # type: ignore[import-untyped]

    with_board(board)
    monkeypatch.setenv("TRACKER_TODAY", "2025-09-01")
    folder = tmp_path / "letters"
    result = run("chase", "--by", "2025-10-02", "--letters", str(folder), root=board)
    assert result.exit_code == 0, result.stderr
    owing = json.loads(run("chase", "--by", "2025-10-02", "--format", "json", root=board).stdout)["departments"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{d['dept']}.md" for d in owing)
    one = run("chase", "--by", "2025-10-02", "--dept", "DWP", "--format", "markdown", root=board).stdout
    assert (folder / "DWP.md").read_text(encoding="utf-8") == one  # the same letter as --dept DWP writes
    assert result.stdout.startswith(f"{len(owing)} letters asking for ")
    for kind in ("docx", "html"):
        assert run("chase", "--by", "2025-10-02", "--letters", str(folder), "--format", kind, root=board).exit_code == 0
    letter = docx.Document(str(folder / "DWP.docx"))
    assert letter.paragraphs[0].text == "Returns requested from Department for Work and Pensions (DWP)"
    assert [p.text for p in letter.sections[0].header.paragraphs] == ["OFFICIAL"]  # the board's classification
    assert "by 25 September 2025, for its meeting on 2 October 2025" in " ".join(p.text for p in letter.paragraphs)
    page = (folder / "DWP.html").read_text(encoding="utf-8")
    assert "<h1>Returns requested from Department for Work and Pensions (DWP)</h1>" in page and "<script" not in page
    refused = run("chase", "--letters", str(folder), "--format", "csv", root=board)
    assert refused.exit_code == 2 and "--letters writes markdown, docx or html letters, not csv" in refused.stderr
    refused = run("chase", "--format", "docx", root=board)
    assert refused.exit_code == 2 and "--format docx writes letters: give --letters DIR" in refused.stderr
    (tmp_path / "a-file").write_text("x")
    refused = run("chase", "--letters", str(tmp_path / "a-file" / "inside"), root=board)
    assert refused.exit_code == 3 and "--letters: cannot make the folder" in refused.stderr


def test_returns_are_due_by_the_meetings_deadline_in_chase_and_the_paper_alike(run: Run, board: Path) -> None:
    """A meeting's returns are due a week before it unless the board's block says otherwise; the
    window is counted to that deadline, by `chase` and by the paper."""
    with_board(board)
    marker = board / "recommendations.yaml"
    marker.write_text(marker.read_text().replace("2025-07-03,", "{date: 2025-07-03, returns_by: 2025-06-20},"))
    text = run("chase", "--by", "2025-07-03", root=board).stdout
    assert text.startswith(
        "Returns owed by 2025-06-20 for the board on 2025-07-03: no return in the 90 days to 2025-06-20, nor since."
    )
    owed = json.loads(run("chase", "--by", "2025-07-03", "--format", "json", root=board).stdout)
    assert (owed["by"], owed["returns_by"]) == ("2025-07-03", "2025-06-20")
    paper = run("paper", "--as-of", "2025-06-30", root=board).stdout
    assert "| **Returns due by** | 20 June 2025 |" in paper
    assert "no return in the 90 days to 20 June 2025, the returns deadline for the meeting on 3 July 2025, nor since" in paper
    chased = {d["dept"]: sum(len(o["roles"]) for o in d["owes"]) for d in owed["departments"]}
    assert f"owe {sum(chased.values())} returns" in paper  # the same count as chase's
    # A return made after the deadline, late, answers the request all the same; so does the board closing it.
    late = ("update", "21", "--dept", "DWP", "--rag", "amber", "--summary", "Late, but here.", "--date", "2025-06-25")
    assert run(*late, root=board).exit_code == 0
    owed_after = json.loads(run("chase", "--by", "2025-07-03", "--format", "json", root=board).stdout)
    (item,) = [o for d in owed_after["departments"] for o in d["owes"] if d["dept"] == "DWP" and o["number"] == 21]
    assert item["roles"] == [{"role": "support", "for": "JCP"}]  # DWP's own is in; Jobcentre Plus's is still owed
    assert run("assess", "29", "--rag", "complete", "--summary", "Closed.", "--date", "2025-06-25", root=board).exit_code == 0
    owed_after = json.loads(run("chase", "--by", "2025-07-03", "--format", "json", root=board).stdout)
    assert not [o for d in owed_after["departments"] for o in d["owes"] if o["number"] == 29]
    marker.write_text(marker.read_text().replace("returns_by: 2025-06-20", "returns_by: 2025-07-04"))
    result = run("check", root=board)
    assert result.exit_code == 1 and "returns_by: 2025-07-04 is after the meeting on 2025-07-03" in result.stdout


def test_letters_never_touch_the_record_and_say_user_text_as_one_plain_line(run: Run, board: Path, tmp_path: Path) -> None:
    with_board(board)
    result = run("chase", "--letters", str(board / "status" / "x"), root=board)
    assert result.exit_code == 2 and "is part of the workspace's record" in result.stderr
    assert not (board / "status" / "x").exists() and run("check", root=board).exit_code == 0  # refused before made
    marker = board / "recommendations.yaml"
    marker.write_text(
        marker.read_text().replace("name: Northshire Combating Drugs Partnership", 'name: "North\\n- shire\\u202e"')
    )
    letter = run("chase", "--by", "2025-10-02", "--dept", "DWP", "--format", "markdown", root=board).stdout
    assert "North - shire asks" in letter and "\u202e" not in letter and "\n- shire" not in letter
    marker.write_text(marker.read_text().replace("2025-07-03,", "{date: 2025-07-03, returns_by: 2025-03-01},"))
    result = run("check", root=board)
    assert result.exit_code == 1 and "returns_by: 2025-03-01 is not after the meeting before, on 2025-03-31" in result.stdout
