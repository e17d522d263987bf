"""tracker report and tracker paper: the rules a board relies on, and output a person can trust."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tracker.domain.rating import Rating, worst
from tracker.domain.recommendations import Owner
from tracker.domain.returns import Return
from tracker.domain.standing import Filters, owner_standing, standing, summary
from tracker.yamlio.blocks import appended, file_header, return_block

from .conftest import Run, load_dataset

AS_OF = "2025-06-30"


def ret(number: int, dept: str, day: str, rag: str, summary: str = "Work goes on.", **kw: object) -> Return:
    return Return(number, dept, date.fromisoformat(day), Rating(rag), summary, "A secretary", **kw)  # type: ignore[arg-type]


def file_returns(root: Path, returns: list[Return]) -> None:
    by_dept: dict[str, list[Return]] = {}
    for r in returns:
        by_dept.setdefault(r.dept, []).append(r)
    for code, items in by_dept.items():
        path = root / "status" / f"{code}.yaml"
        existing = path.read_bytes() if path.exists() else None
        raw, _ = appended(existing, file_header(code, code), [return_block(r) for r in items])
        path.write_bytes(raw)


# A board's history across 2022-2025 for a handful of recommendations.
HISTORY = [
    ret(9, "HEE", "2022-03-01", "amber", "Strategy in drafting."),
    ret(9, "DHSC", "2022-09-01", "red", "Strategy missed its deadline."),
    ret(9, "NHSE", "2025-04-10", "green", "Plan published."),
    ret(
        9, "DHSC", "2025-05-01", "amber", "Curricula late.", target_date=date(2026, 3, 31), reason="Curricula need consultation."
    ),
    ret(20, "DWP", "2024-12-11", "green", "Roll-out nearly done."),
    ret(20, "OHID", "2025-05-20", "green", "Grants paid."),
    ret(20, "DWP", "2025-06-01", "complete", "Roll-out complete.", evidence=("https://www.gov.uk/ips",)),
    ret(17, "MoJ", "2025-05-15", "red", "Escorts not available; 35% of appointments missed."),
    ret(17, "DHSC", "2025-05-15", "amber", "Spending to be published."),
    ret(17, "NHSE", "2025-05-16", "amber", "Data collection agreed."),
    ret(17, "HMPS", "2025-05-16", "red", "Staffing gaps."),
    ret(21, "DWP", "2025-01-10", "green", "Test running well."),
    ret(21, "DWP", "2025-06-10", "amber", "Test funding ends in March."),
    ret(21, "JCP", "2025-06-10", "amber", "Mentors leaving."),
    ret(28, "DfE", "2025-06-30", "green", "Guidance revised."),
    ret(28, "DfE", "2025-07-15", "red", "A return after the report date."),
]


@pytest.fixture
def board(workspace: Path) -> Path:
    file_returns(workspace, HISTORY)
    return workspace


def report(run: Run, root: Path, *args: str) -> dict[str, object]:
    result = run("report", "--as-of", AS_OF, "--format", "json", *args, root=root)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def by_number(document: dict[str, object]) -> dict[int, dict[str, object]]:
    return {r["number"]: r for r in document["recommendations"]}  # type: ignore[attr-defined, index]


# -- the rules -------------------------------------------------------------------------------


def test_overall_rag_is_the_worst_owner_and_no_return_is_worse_than_amber() -> None:
    red, amber, green, complete, no_return = Rating.RED, Rating.AMBER, Rating.GREEN, Rating.COMPLETE, Rating.NO_RETURN
    assert worst([green, amber, complete]) is amber
    assert worst([amber, no_return]) is no_return
    assert worst([red, no_return]) is red
    assert worst([complete, complete]) is complete
    assert worst([]) is no_return


def test_an_owner_silent_for_the_window_counts_as_no_return(run: Run, board: Path) -> None:
    recs = by_number(report(run, board))
    mhclg = next(o for o in recs[23]["owners"] if o["dept"] == "MHCLG")  # type: ignore[attr-defined, union-attr]
    assert mhclg == {"dept": "MHCLG", "role": "lead", "rag": "no_return", "last_update": None, "stale": True, "trend": None}
    dwp = next(o for o in recs[21]["owners"] if o["dept"] == "DWP")  # type: ignore[attr-defined, union-attr]
    assert (dwp["rag"], dwp["stale"], dwp["trend"]) == ("amber", False, "worse")
    later = by_number(report(run, board, "--as-of", "2025-10-01"))
    dwp = next(o for o in later[21]["owners"] if o["dept"] == "DWP")  # type: ignore[attr-defined, union-attr]
    assert (dwp["rag"], dwp["last_update"], dwp["stale"]) == ("no_return", "2025-06-10", True)


def test_complete_is_final_and_needs_no_further_returns(run: Run, board: Path) -> None:
    much_later = by_number(report(run, board, "--as-of", "2026-06-30"))
    dwp = next(o for o in much_later[20]["owners"] if o["dept"] == "DWP")  # type: ignore[attr-defined, union-attr]
    assert (dwp["rag"], dwp["stale"]) == ("complete", False)


def test_overdue_uses_the_latest_revised_target_date_and_never_loses_the_baseline(run: Run, board: Path) -> None:
    recs = by_number(report(run, board))
    assert (recs[9]["deadline"], recs[9]["target_date"], recs[9]["overdue"]) == ("2021-12-31", "2026-03-31", False)
    assert (recs[17]["target_date"], recs[17]["overdue"]) == ("2022-03-31", True)
    before = by_number(report(run, board, "--as-of", "2025-04-30"))
    assert (before[9]["target_date"], before[9]["overdue"]) == ("2021-12-31", True)
    assert recs[10]["target_date"] is None and recs[10]["overdue"] is False


def test_a_recommendation_is_complete_only_when_every_owner_says_so(run: Run, board: Path) -> None:
    recs = by_number(report(run, board))
    assert [o["rag"] for o in recs[20]["owners"]] == ["complete", "green"]  # type: ignore[index, union-attr]
    assert (recs[20]["rag"], recs[20]["overdue"]) == ("green", True)  # OHID, a support owner, has not closed it
    file_returns(board, [ret(20, "OHID", "2025-06-20", "complete", "Grants closed.")])
    recs = by_number(report(run, board))
    assert (recs[20]["rag"], recs[20]["overdue"]) == ("complete", False)


def test_returns_filed_before_a_merger_count_for_the_successor(run: Run, board: Path) -> None:
    recs = by_number(report(run, board, "--as-of", "2022-04-30"))
    assert [(o["dept"], o["rag"]) for o in recs[9]["owners"]] == [("DHSC", "no_return"), ("HEE", "amber")]  # type: ignore[index, union-attr]
    recs = by_number(report(run, board))
    assert [(o["dept"], o["rag"], o["trend"]) for o in recs[9]["owners"]] == [  # type: ignore[index, union-attr]
        ("DHSC", "amber", "better"),
        ("NHSE", "green", "better"),
    ]


def test_as_of_ignores_later_returns(run: Run, board: Path) -> None:
    recs = by_number(report(run, board))
    assert recs[28]["rag"] == "green"
    assert by_number(report(run, board, "--as-of", "2025-07-20"))[28]["rag"] == "red"


def test_the_json_follows_the_contract(run: Run, board: Path) -> None:
    document = report(run, board)
    assert list(document) == ["as_of", "summary", "recommendations"]
    assert document["as_of"] == AS_OF
    assert list(document["summary"]) == ["red", "amber", "green", "complete", "no_return"]  # type: ignore[arg-type]
    first = document["recommendations"][0]  # type: ignore[index]
    assert list(first) == ["number", "title", "section", "rag", "deadline", "target_date", "overdue", "owners"]
    assert list(first["owners"][0]) == ["dept", "role", "rag", "last_update", "stale", "trend"]
    assert sum(document["summary"].values()) == 32  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args, numbers",
    [
        (("--rag", "red"), [17]),
        (("--rag", "R"), [17]),
        (("--overdue", "--section", "3.6"), [17]),
        (("--dept", "DLUHC", "--section", "3.10"), [23]),
        (("--dept", "Health Education England"), [9, 12, 15, 16, 17, 24, 25, 26, 27]),
        (("--dept", "NHSE", "--rag", "no-return"), [12, 15, 16, 24, 25, 26, 27]),
        (("--dept", "DWP", "--stale"), [2, 3, 4, 18, 22]),
        (("--section", "3.9", "--rag", "amber"), [21]),
    ],
)
def test_filters_combine_and_old_names_resolve(run: Run, board: Path, args: tuple[str, ...], numbers: list[int]) -> None:
    assert list(by_number(report(run, board, *args))) == numbers


def test_a_bad_filter_is_an_error(run: Run, board: Path) -> None:
    result = run("report", "--rag", "purple", root=board)
    assert result.exit_code == 3 and "--rag: 'purple' is not a RAG rating" in result.stderr
    result = run("report", "--as-of", "2025-02-30", root=board)
    assert result.exit_code == 3 and "--as-of: '2025-02-30' is not a real date" in result.stderr


def test_the_table_fits_80_columns_with_words_and_no_colour_when_piped(run: Run, board: Path, golden: object) -> None:
    result = run("report", "--as-of", AS_OF, root=board)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert re.search(r"^ +17 +Transparent prison .* RED +2022-03-31", result.stdout, re.M)
    assert "OVERDUE" in result.stdout and "WORSE" in result.stdout and "NO RETURN" in result.stdout
    assert result.stdout.rstrip().endswith("32 recommendations: 1 red, 2 amber, 2 green, 0 complete, 27 no return")
    golden("report.txt", result.stdout)  # type: ignore[operator]


def test_the_csv_has_a_row_per_owner(run: Run, board: Path) -> None:
    rows = run("report", "--as-of", AS_OF, "--format", "csv", "--rag", "red", root=board).stdout.splitlines()
    assert rows[0] == "number,title,section,rag,deadline,target_date,overdue,dept,role,owner_rag,last_update,stale,trend"
    assert rows[1].startswith("17,Transparent prison substance misuse services and escorts to appointments,3.6,red,2022-03-31,")
    assert len(rows) == 1 + 4


# -- the paper -------------------------------------------------------------------------------


def tables_keep_their_columns(markdown: str) -> int:
    """Parse with a real CommonMark parser (GFM tables on); every row has its header's cells."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    for t in tokens:
        assert not any(c.type in ("html_inline",) for c in (t.children or []))
    tables = 0
    columns = None
    cells = 0
    for t in tokens:
        if t.type == "table_open":
            tables += 1
            columns, cells = None, 0
        elif t.type == "tr_open":
            cells = 0
        elif t.type in ("th_open", "td_open"):
            cells += 1
        elif t.type == "tr_close":
            columns = columns or cells
            assert cells == columns
    return tables


def test_the_paper_shows_what_a_secretary_expects(run: Run, board: Path, golden: object) -> None:
    result = run("paper", "--as-of", AS_OF, "--since", "2025-03-31", root=board)
    assert result.exit_code == 0, result.stderr
    paper = result.stdout
    assert paper.startswith("# Delivery of the recommendations: Review of drugs part two")
    assert "Board paper. Position at 2025-06-30; changes since the last board on 2025-03-31." in paper
    assert "| Red | 1 | 0 | +1 |" in paper
    red = paper[paper.index("### 3.1 Red") : paper.index("### 3.2 Overdue")]
    assert "**Recommendation 17**" in red and "Escorts not available; 35% of appointments missed." in red
    assert "HMPS (support): **RED**" in red and "DHSC (lead)" not in red
    worse = paper[paper.index("### 3.4 Got worse") : paper.index("## 4.")]
    assert "**Recommendation 21**" in worse and "DWP (lead): **AMBER** (was GREEN)" in worse
    assert "**Recommendation 9**" not in worse  # DHSC went from red to amber: better
    overdue = paper[paper.index("### 3.2 Overdue") : paper.index("### 3.3")]
    assert "**Recommendation 9**" not in overdue  # its target date moved to 2026
    assert (
        "- Recommendation 9, Workforce strategy and standards from Health Education England: **NO RETURN** to **AMBER**" in paper
    )
    assert "agree or challenge the target dates revised since 2025-03-31 (9)" in paper
    assert "A return after the report date" not in paper
    assert "Recommendations 9, 25 were made to Health Education England (HEE), whose work is now NHSE's." in paper
    assert tables_keep_their_columns(paper) >= 20
    golden("paper.md", paper)  # type: ignore[operator]


def test_the_same_data_and_date_give_the_same_bytes(run: Run, board: Path, tmp_path: Path) -> None:
    first = run("paper", "--as-of", AS_OF, root=board).stdout
    out = tmp_path / "paper.md"
    result = run("paper", "--as-of", AS_OF, "--out", str(out), root=board)
    assert result.exit_code == 0 and result.stdout == "" and out.read_text() == first
    assert run("paper", "--as-of", AS_OF, root=board).stdout == first


HOSTILE = (
    "Costs | 50% <script>alert(1)</script>\nsecond line `code` **bold** [red]x[/red] \x1b[31mred\x1b[0m _under_ # not a heading"
)


def test_hostile_text_is_shown_as_the_words_it_is(run: Run, workspace: Path) -> None:
    file_returns(workspace, [ret(17, "MoJ", "2025-06-01", "red", HOSTILE, evidence=("https://example.org/a|b<c>(d)`e",))])
    paper = run("paper", "--as-of", AS_OF, root=workspace).stdout
    assert "<script>" not in paper and "\x1b" not in paper
    assert tables_keep_their_columns(paper) >= 20
    html = MarkdownIt("commonmark").enable("table").render(paper)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "[red]x[/red]" in html and "`code` **bold**" in html and "_under_" in html
    assert 'href="https://example.org/a%7Cb%3Cc%3E%28d%29%60e"' in html
    out = run("report", "--as-of", AS_OF, root=workspace).stdout
    assert "\x1b" not in out
    shown = run("show", "17", root=workspace).stdout
    assert "[red]x[/red]" in shown and "<script>alert(1)</script>" in shown and "\x1b" not in shown


def test_domain_rules_without_files() -> None:
    owner = Owner("DWP", "lead")
    from .conftest import REPO

    data = load_dataset(REPO / "recommendations.yaml")[0]
    rec20 = data.recommendations[19]
    fresh = owner_standing(
        data, owner, [ret(20, "DWP", "2025-01-01", "red"), ret(20, "DWP", "2025-06-01", "green")], date(2025, 6, 30)
    )
    assert (fresh.rag, fresh.trend, fresh.stale) == ("green", "better", False)
    old = owner_standing(data, owner, [ret(20, "DWP", "2025-01-01", "green")], date(2025, 6, 30))
    assert (old.rag, old.stale) == ("no_return", True)
    status = standing(rec20, [fresh], [], date(2025, 6, 30))
    assert (status.rag, status.target_date, status.overdue) == ("green", date(2025, 3, 31), True)
    assert summary([status]) == {Rating.RED: 0, Rating.AMBER: 0, Rating.GREEN: 1, Rating.COMPLETE: 0, Rating.NO_RETURN: 0}
    assert Filters(rag=Rating.GREEN).keep(status) and not Filters(rag=Rating.RED).keep(status)
    assert Filters(dept="DWP", overdue=True).keep(status) and not Filters(stale=True).keep(status)


def test_the_example_paper_in_docs_is_the_one_the_repository_data_gives(run: Run) -> None:
    from .conftest import REPO

    example = (REPO / "docs" / "example-board-paper.md").read_text(encoding="utf-8")
    assert run("paper", "--as-of", "2025-12-31", root=REPO).stdout == example, (
        "regenerate it: tracker paper --as-of 2025-12-31 --out docs/example-board-paper.md"
    )
    assert tables_keep_their_columns(example) >= 20
