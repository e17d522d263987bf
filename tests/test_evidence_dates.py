"""An assessment's two dates: when the board assessed, and when its evidence is from. A paper as of
an earlier date shows what was known then; "new since the last board" follows the day assessed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.domain.values import long_date, parse_period, period_words

from .conftest import Run


def test_a_period_is_a_day_a_month_or_a_year() -> None:
    assert parse_period("2023-03") == (date(2023, 3, 1), date(2023, 3, 31))
    assert parse_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_period("2023-12") == (date(2023, 12, 1), date(2023, 12, 31))
    assert parse_period("2025") == (date(2025, 1, 1), date(2025, 12, 31))
    assert parse_period(" 2024-06-14 ") == (date(2024, 6, 14), date(2024, 6, 14))
    for bad, says in (("2023-13", "not a real date"), ("2023-3", "YYYY-MM"), ("March 2023", "YYYY-MM"), ("2023-02-30", "real")):
        with pytest.raises(ValueError, match=says):
            parse_period(bad)
    assert (period_words("2023-03"), period_words("2025"), period_words("2024-06-14")) == ("March 2023", "2025", "14 June 2024")
    assert long_date(date(2026, 12, 10)) == "10 December 2026"


def _assess(run: Run, root: Path, *extra: str) -> None:
    result = run("assess", "30", "--rag", "green", "--summary", "Five projects funded.", *extra, root=root)
    assert result.exit_code == 0, result.stderr


def test_an_assessment_of_older_evidence_counts_from_the_evidence(run: Run, workspace: Path) -> None:
    _assess(run, workspace, "--date", "2026-11-26", "--evidence-date", "2023-03")
    record = (workspace / "assessments.yaml").read_text()
    assert "  date: 2026-11-26\n  evidence_date: 2023-03\n  rag: green\n" in record
    assert run("check", root=workspace).exit_code == 0

    def rec_30(as_of: str) -> dict[str, object]:
        listed = json.loads(run("report", "--as-of", as_of, "--format", "json", root=workspace).stdout)
        return next(r for r in listed["recommendations"] if r["number"] == 30)  # type: ignore[no-any-return]

    assert rec_30("2023-03-30")["rag"] == "no_return"  # the month's last day: never before it could be known
    assert rec_30("2023-03-31")["rag"] == "green"
    assert rec_30("2023-03-31")["assessment"] == {
        "rag": "green",
        "date": "2026-11-26",
        "evidence_date": "2023-03",
        "summary": "Five projects funded.",
        "evidence": [],
    }
    paper = run("paper", "--as-of", "2025-12-31", root=workspace).stdout
    assert "(board, assessed 26 November 2026 on evidence of March 2023)" not in paper  # green is no exception
    assert "| ● **GREEN** 2026-11-26 (evidence 2023-03) |" in paper  # Appendix A: both dates, side by side
    assert "the board has recorded 0 assessments" in paper  # assessed after the paper's date: not new since
    shown = run("show", "30", root=workspace).stdout
    assert "Board: GREEN assessed 2026-11-26, evidence of 2023-03" in shown
    assert "2026-11-26  GREEN  (evidence of 2023-03)" in shown


def test_new_since_the_last_board_follows_the_day_assessed(run: Run, workspace: Path) -> None:
    _assess(run, workspace, "--date", "2026-11-26", "--evidence-date", "2023")
    paper = run("paper", "--as-of", "2026-11-30", "--since", "2026-09-01", root=workspace).stdout
    assert "the board has recorded 1 assessment " in paper and "Received: 30 (board GREEN)." in paper


def test_the_latest_assessment_is_the_one_with_the_newest_evidence(run: Run, workspace: Path) -> None:
    """Recorded in any order, the assessment of the newer evidence sets the headline."""
    _assess(run, workspace, "--date", "2024-05-01")
    late = (
        "assess",
        "30",
        "--rag",
        "red",
        "--summary",
        "An old call closed.",
        "--date",
        "2026-11-26",
        "--evidence-date",
        "2023-05",
    )
    assert run(*late, root=workspace).exit_code == 0
    listed = json.loads(run("report", "--format", "json", root=workspace).stdout)
    rec = next(r for r in listed["recommendations"] if r["number"] == 30)
    assert (rec["rag"], rec["assessment"]["date"]) == ("green", "2024-05-01")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2027-01", "the evidence's date 2027-01 is after the day it was assessed, 2026-11-26"),
        ("2023-14", "2023-14 is not a real date"),
        ("spring 2023", "is not a date written YYYY-MM-DD, YYYY-MM or YYYY"),
    ],
)
def test_a_bad_evidence_date_is_refused_by_name(run: Run, workspace: Path, value: str, says: str) -> None:
    result = run(
        "assess", "30", "--rag", "green", "--summary", "S.", "--date", "2026-11-26", "--evidence-date", value, root=workspace
    )
    assert result.exit_code == 3 and "--evidence-date:" in result.stderr and says in result.stderr
    assert not (workspace / "assessments.yaml").exists()
    (workspace / "assessments.yaml").write_text(
        f"- recommendation: 30\n  date: 2026-11-26\n  evidence_date: {value}\n  rag: green\n  summary: S.\n  author: A\n"
    )
    checked = run("check", root=workspace)
    assert checked.exit_code == 1 and checked.stdout.startswith(("assessments.yaml:1:", "assessments.yaml:3:"))
    assert "evidence_date" in checked.stdout + checked.stderr and says in checked.stdout + checked.stderr


def test_a_correction_can_give_an_assessment_its_evidence_date_and_only_an_assessment(run: Run, workspace: Path) -> None:
    _assess(run, workspace, "--date", "2026-11-26")
    fixed = run(
        "correct", "30", "--board", "--date", "2026-11-26", "--evidence-date", "2023-03", "--why", "Evidence of March 2023.",
        root=workspace,
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.stderr
    assert "  evidence_date: 2023-03\n" in (workspace / "assessments.yaml").read_text()
    assert run("check", root=workspace).exit_code == 0
    listed = json.loads(run("report", "--as-of", "2024-01-01", "--format", "json", root=workspace).stdout)
    assert next(r for r in listed["recommendations"] if r["number"] == 30)["rag"] == "green"
    update = ("update", "30", "--dept", "DHSC", "--rag", "amber", "--summary", "Going.", "--date", "2026-11-20")
    assert run(*update, root=workspace).exit_code == 0
    before = (workspace / "status" / "DHSC.yaml").read_bytes()
    refused = run(
        "correct", "30", "--dept", "DHSC", "--date", "2026-11-20", "--evidence-date", "2023", "--why", "No.", root=workspace
    )
    assert refused.exit_code == 3 and "a return has no evidence date" in refused.stderr
    assert (workspace / "status" / "DHSC.yaml").read_bytes() == before


def test_the_public_record_shows_at_the_end_of_2025_what_was_known_then(run: Run, repository: Path) -> None:
    """Assessments recorded in November 2026 of evidence from 2022 to 2025 count from their evidence's dates."""
    listed = json.loads(run("report", "--as-of", "2025-12-31", "--format", "json", root=repository).stdout)
    rag = {r["number"]: r["rag"] for r in listed["recommendations"]}
    assert {n: rag[n] for n in (12, 21, 31, 32)} == {12: "amber", 21: "amber", 31: "green", 32: "green"}
    early = json.loads(run("report", "--as-of", "2023-04-30", "--format", "json", root=repository).stdout)
    assert next(r for r in early["recommendations"] if r["number"] == 30)["rag"] == "green"  # March 2023: five projects
    assert rag[30] == "complete"  # the third phase, 2025


def test_a_paper_long_before_the_next_meeting_is_not_for_it_and_says_what_was_assessed_later(run: Run, workspace: Path) -> None:
    from .test_reports import with_board

    with_board(workspace)  # meetings 2025-03-31, 2025-07-03, 2025-10-02
    _assess(run, workspace, "--date", "2025-09-01", "--evidence-date", "2023-03")
    paper = run("paper", "--as-of", "2023-06-30", "--since", "2023-03-01", root=workspace).stdout
    assert "| **Date** | 30 June 2023 |" in paper and "**Meeting**" not in paper  # 2025-03-31 is too far ahead
    assert "the board has recorded 0 assessments" in paper
    assert "Assessed by the board after 30 June 2023, on evidence from this period: 30." in paper
