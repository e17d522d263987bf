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
from tracker.domain.returns import Entry
from tracker.domain.standing import Filters, owner_standing, standing, summary
from tracker.yamlio.blocks import appended, file_header, return_block

from .conftest import Run, load_dataset

AS_OF = "2025-06-30"


def ret(number: int, dept: str, day: str, rag: str, summary: str = "Work goes on.", **kw: object) -> Entry:
    return Entry(number, dept, date.fromisoformat(day), Rating(rag), summary, "A secretary", **kw)  # type: ignore[arg-type]


def file_returns(root: Path, returns: list[Entry]) -> None:
    by_dept: dict[str, list[Entry]] = {}
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


def test_an_owner_silent_for_the_window_counts_as_no_return(run: Run, board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recs = by_number(report(run, board))
    mhclg = next(o for o in recs[23]["owners"] if o["dept"] == "MHCLG")  # type: ignore[attr-defined, union-attr]
    assert mhclg == {
        "dept": "MHCLG",
        "named_as": "MHCLG",
        "role": "lead",
        "reports_via": None,
        "rag": "no_return",
        "last_rag": None,
        "last_update": None,
        "stale": True,
        "trend": None,
    }
    dwp = next(o for o in recs[21]["owners"] if o["dept"] == "DWP")  # type: ignore[attr-defined, union-attr]
    assert (dwp["rag"], dwp["stale"], dwp["trend"]) == ("amber", False, "worse")
    later = by_number(report(run, board, "--as-of", "2025-10-01"))
    dwp = next(o for o in later[21]["owners"] if o["dept"] == "DWP")  # type: ignore[attr-defined, union-attr]
    assert (dwp["rag"], dwp["last_rag"], dwp["last_update"], dwp["stale"]) == ("no_return", "amber", "2025-06-10", True)
    # A stale lead counts with its last rating, and is awaited: being late is not a delivery rating.
    assert (later[21]["departments_rag"], later[21]["awaiting"]) == ("amber", ["DWP"])
    assert (recs[23]["departments_rag"], recs[23]["awaiting"]) == ("no_return", ["MHCLG", "DHSC"])  # no lead ever reported
    monkeypatch.setenv("COLUMNS", "160")  # a wide terminal: the owner's line is not wrapped
    table = run("report", "--as-of", "2025-10-01", "--section", "3.9", root=board).stdout
    assert re.search(r"^ +DWP lead \(last AMBER, 2025-06-10\) +NO RETURN", table, re.M)


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


def test_a_recommendation_is_rated_by_its_leads_and_a_silent_support_does_not_make_it_no_return(run: Run, board: Path) -> None:
    recs = by_number(report(run, board, "--as-of", "2025-01-31"))
    assert [(o["dept"], o["role"], o["rag"]) for o in recs[20]["owners"]] == [  # type: ignore[index, union-attr]
        ("DWP", "lead", "green"),
        ("OHID", "support", "no_return"),
    ]
    assert (recs[20]["departments_rag"], recs[20]["rag"]) == ("green", "green")
    recs = by_number(report(run, board))
    assert [o["rag"] for o in recs[20]["owners"]] == ["complete", "green"]  # type: ignore[index, union-attr]
    assert (recs[20]["rag"], recs[20]["overdue"]) == ("complete", False)  # the lead closed it


def test_a_workspace_may_choose_to_rate_by_every_owner(run: Run, board: Path) -> None:
    marker = board / "recommendations.yaml"
    marker.write_text(
        marker.read_text().replace("reporting_window_days: 90\n", "reporting_window_days: 90\nrating_owners: all\n")
    )
    recs = by_number(report(run, board))
    assert (recs[20]["rag"], recs[20]["overdue"]) == ("green", True)  # OHID, a support owner, has not closed it
    earlier = by_number(report(run, board, "--as-of", "2025-01-31"))[20]
    assert (earlier["rag"], earlier["awaiting"]) == ("green", ["OHID"])  # the silent support is awaited, blanking nothing
    marker.write_text(marker.read_text().replace("rating_owners: all", "rating_owners: most"))
    result = run("report", root=board)
    assert result.exit_code == 3 and "rating_owners: 'most' is not one of: leads, all" in result.stderr


def test_an_owner_that_reports_through_a_department_has_its_own_returns(
    run: Run, board: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    recs = by_number(report(run, board))
    jcp = next(o for o in recs[21]["owners"] if o["dept"] == "JCP")  # type: ignore[attr-defined, union-attr]
    assert (jcp["role"], jcp["reports_via"], jcp["rag"]) == ("support", "DWP", "no_return")  # DWP's own returns are not JCP's
    result = run("update", "11", "--dept", "OHID", "--rag", "g", "--summary", "s", "--date", "2025-06-01", root=board)
    assert result.exit_code == 3 and "OHID reports for LA on recommendation 11: give the return as LA's" in result.stderr
    assert run("update", "11", "--dept", "LA", "--rag", "g", "--summary", "s", "--date", "2025-06-01", root=board).exit_code == 0
    la = by_number(report(run, board))[11]
    assert (la["departments_rag"], la["owners"][0]["dept"], la["owners"][0]["reports_via"]) == ("green", "LA", "OHID")  # type: ignore[index]
    table = run("report", "--as-of", AS_OF, "--section", "3.2", root=board).stdout
    assert "LA (via OHID) lead" in table
    assert (board / "status" / "LA.yaml").exists()  # LA's returns, made by OHID: never mixed with OHID's own


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
    assert list(first) == [
        "number", "ref", "source", "title", "section", "rag",
        "departments_rag", "awaiting", "assessment", "deadline", "target_date", "overdue",
        "owners",
    ]  # fmt: skip
    assert list(first["owners"][0]) == [
        "dept",
        "named_as",
        "role",
        "reports_via",
        "rag",
        "last_rag",
        "last_update",
        "stale",
        "trend",
    ]
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
        (("--dept", "DWP", "--stale"), [2, 3, 4, 18, 21, 22]),
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
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not [line for line in lines if line != line.rstrip()], "piped output has no trailing spaces"
    assert re.search(r"^ +#  Recommendation +Depts +Board +Headline +Target +Flags$", result.stdout, re.M)
    assert "NO RETURN" in result.stdout
    summary_line = next(line for line in lines if line.startswith("32 recommendations:"))
    assert summary_line == "32 recommendations: 1 red, 2 amber, 1 green, 1 complete, 27 no return"
    golden("report.txt", result.stdout)  # type: ignore[operator]


def test_each_flag_is_on_the_line_of_what_it_belongs_to(run: Run, board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    lines = run("report", "--as-of", AS_OF, root=board).stdout.splitlines()
    overdue = [line.split()[0] for line in lines if line.rstrip().endswith("OVERDUE")]
    assert "17" in overdue and all(n.isdigit() for n in overdue)  # on a recommendation's own line
    worse = [line.split()[:2] for line in lines if line.rstrip().endswith("WORSE")]
    assert worse == [["DWP", "lead"]]  # 21: DWP went from green to amber; the recommendation's line has no WORSE
    row_21 = next(line for line in lines if line.split()[:1] == ["21"])
    assert "WORSE" not in row_21


def test_the_csv_has_a_row_per_owner(run: Run, board: Path) -> None:
    rows = run("report", "--as-of", AS_OF, "--format", "csv", "--rag", "red", root=board).stdout.splitlines()
    assert rows[0] == (
        "\ufeffnumber,title,section,rag,departments_rag,board_rag,board_date,deadline,target_date,overdue,"
        "dept,role,reports_via,owner_rag,last_rag,last_update,stale,trend,awaiting,board_evidence_date"
    )
    title = "Transparent prison substance misuse services and escorts to appointments"
    assert rows[1].startswith(f"17,{title},§3.6,red,red,,,2022-03-31,")
    assert rows[4].endswith(",HMPS,lead,HMPPS,red,red,2025-05-16,no,,,")  # every lead has reported in the window
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


BOARD_BLOCK = """
board:
  name: Northshire Combating Drugs Partnership
  reference: CDP/25/07
  author: Partnership secretariat
  classification: OFFICIAL
  meetings: [2025-03-31, 2025-07-03, 2025-10-02]
"""


def with_board(root: Path) -> Path:
    marker = root / "recommendations.yaml"
    marker.write_text(marker.read_text().replace("\ndepartments:\n", BOARD_BLOCK + "\ndepartments:\n", 1))
    return root


def exceptions_of(paper: str) -> list[str]:
    part = paper[paper.index("## Exceptions") : paper.index("## Chasing")]
    return re.findall(r"^- \*\*(\d+)\. ", part, re.M)


def test_a_red_support_owner_is_an_exception_of_its_own(run: Run, workspace: Path) -> None:
    """A support owner's RED does not set the departmental rating, but the paper lists it."""
    file_returns(
        workspace, [ret(19, "MoJ", "2025-06-01", "green", "Funded."), ret(19, "PS", "2025-06-02", "red", "Posts empty.")]
    )
    paper = run("paper", "--as-of", AS_OF, root=workspace).stdout
    entry = next(line for line in paper.splitlines() if line.startswith("- **19. "))
    assert "● **GREEN** (departments" in entry and "support PS (via HMPPS) is red" in entry


def test_the_paper_shows_what_a_secretary_expects(run: Run, board: Path, golden: object) -> None:
    result = run("paper", "--as-of", AS_OF, "--since", "2025-03-31", root=board)
    assert result.exit_code == 0, result.stderr
    paper = result.stdout
    assert paper.startswith("# Delivery of the recommendations of the Review of drugs part two")
    assert (
        "| **Position at** | 30 June 2025, with changes since 31 March 2025 |" in paper
    )  # no board block: a date, not a meeting
    assert "| ✖ **RED** | 1 | 1 | none |" in paper  # DHSC's red of 2022 on 9 counts until its next return
    exceptions = exceptions_of(paper)
    assert len(exceptions) == len(set(exceptions)), "each recommendation at most once among the exceptions"
    entry = next(line for line in paper.splitlines() if line.startswith("- **17. "))
    assert "✖ **RED** (departments); overdue (target 31 March 2022)" in entry
    assert "HMPS (via HMPPS), 16 May 2025: “Staffing gaps.”" in paper  # the newest red lead's words
    entry = next(line for line in paper.splitlines() if line.startswith("- **21. "))
    assert "was GREEN on 31 March 2025; lead DWP reported worse" in entry
    assert "9" not in exceptions  # DHSC went from red to amber, and its target date moved to 2026
    assert "20" not in exceptions  # its lead, DWP, closed it; OHID's silence is chased, not an exception
    assert "Headline ratings that changed: 9 RED to AMBER;" in paper
    assert "agree or challenge the target dates revised since 31 March 2025 (9)" in paper
    assert "A return after the report date" not in paper
    assert "| 9 | 3.1 | Workforce strategy" in paper and "9 support (from HEE) GREEN" in paper
    for line in paper.splitlines():  # no line says the same thing twice
        assert not re.search(r"(\b\w+: \*\*NO RETURN\*\*).*\1", line)
    assert tables_keep_their_columns(paper) >= 4
    golden("paper.md", paper)  # type: ignore[operator]


def test_page_one_carries_the_signal_and_the_exceptions_come_worst_first(
    run: Run, board: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.output.paper import RANKS

    paper = run("paper", "--as-of", AS_OF, "--since", "2025-03-31", root=board).stdout
    sections = re.findall(r"^## (.+)$", paper, re.M)
    assert sections[:4] == ["Purpose", "At a glance, 30 June 2025", "The board is asked to", "Summary"]  # counts after
    glance = paper[paper.index("## At a glance") : paper.index("## The board is asked to")]
    title = "Transparent prison substance misuse services and escorts to appointments"
    assert f"- **Red (1):** 17 {title} (new; was NO RETURN)." in glance
    assert "- **Worse (1):** 21 Peer mentors in every Jobcentre Plus area (GREEN to AMBER)." in glance
    overdue = re.search(r"\*\*Overdue \((\d+)\):\*\* (.+), most overdue first\.", glance)
    assert overdue is not None and overdue[2].startswith("21 (1,342 days); 23 (1,342 days)")  # 2021-10-27 to 2025-06-30
    assert int(overdue[1]) == len(overdue[2].split("; ")) == 10
    assert "**No return (27):** 1, 2, 3," in glance
    owed = "**Returns owed:** 12 bodies owe 70 returns (how many each): DHSC 23, OHID 14,"  # as `tracker chase` counts
    assert owed in glance
    monkeypatch.setenv("TRACKER_TODAY", AS_OF)
    assert "12 departments owe 70 returns." in run("chase", "--by", AS_OF, root=board).stdout
    # Exceptions: red, worse, overdue, no return, the rest; the newest change first within each.
    kinds = re.findall(r"^### (.+) \(\d+\)$", paper, re.M)
    assert kinds == [k for k in RANKS if k in kinds] and kinds[:3] == ["Red", "Worse", "Overdue"]
    part = paper[paper.index("### Overdue") : paper.index("### No return")]
    assert re.findall(r"^- \*\*(\d+)\. ", part, re.M)[:2] == ["5", "12"]  # none has an entry: by number
    update = ("update", "26", "--dept", "NHSE", "--rag", "amber", "--summary", "Commissioning joined.", "--date", "2025-06-01")
    assert run(*update, root=board).exit_code == 0
    paper = run("paper", "--as-of", AS_OF, "--since", "2025-03-31", root=board).stdout
    part = paper[paper.index("### Overdue") : paper.index("### No return")]
    assert re.findall(r"^- \*\*(\d+)\. ", part, re.M)[:2] == ["26", "5"]  # the newest change first
    assert exceptions_of(paper) != sorted(exceptions_of(paper), key=int)


def test_a_silent_lead_blanks_nothing(run: Run, board: Path) -> None:
    """Rec 15 is led by MoJ, HO and DHSC: two leads' ratings stand while the third is awaited."""
    for dept, rag in (("MoJ", "amber"), ("HO", "green")):
        update = ("update", "15", "--dept", dept, "--rag", rag, "--summary", "Pathways agreed.", "--date", "2025-06-01")
        result = run(*update, root=board)
        assert result.exit_code == 0, result.stderr
    rec = by_number(report(run, board))[15]
    assert (rec["rag"], rec["departments_rag"], rec["awaiting"]) == ("amber", "amber", ["DHSC"])
    shown = " ".join(run("show", "15", root=board).stdout.split())  # on the test's day, 2026-12-01: every lead silent since
    assert "Departments: AMBER, awaiting MoJ, HO, DHSC" in shown, shown
    paper = run("paper", "--as-of", AS_OF, root=board).stdout
    row = next(line for line in paper.splitlines() if line.startswith("| 15 |"))
    assert "▲ **AMBER** (MoJ AMBER; HO GREEN; DHSC awaited)" in row  # Appendix A: each lead's own rating


def test_one_lead_finishing_its_part_does_not_close_a_recommendation_others_lead(run: Run, workspace: Path) -> None:
    """Rec 23 is led by MHCLG and DHSC: MHCLG's COMPLETE leaves the rating to DHSC, who is chased."""
    done = ("update", "23", "--dept", "MHCLG", "--rag", "complete", "--summary", "Our part is done.", "--date", "2026-11-01")
    assert run(*done, root=workspace).exit_code == 0
    rec = by_number(report(run, workspace, "--as-of", "2026-12-01"))[23]
    assert (rec["rag"], rec["departments_rag"], rec["awaiting"], rec["overdue"]) == ("no_return", "no_return", ["DHSC"], True)
    assert "\nDHSC,23,Understand the housing needs" in run("chase", "--dept", "DHSC", "--format", "csv", root=workspace).stdout
    also = ("update", "23", "--dept", "DHSC", "--rag", "complete", "--summary", "Ours too.", "--date", "2026-11-02")
    assert run(*also, root=workspace).exit_code == 0
    assert by_number(report(run, workspace, "--as-of", "2026-12-01"))[23]["rag"] == "complete"  # every lead has said so


def test_awaiting_names_owners_by_code_and_a_day_is_a_day(run: Run, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.output.paper.LISTED", 100)  # page one names every overdue one
    first = ("update", "29", "--dept", "DfE", "--rag", "green", "--summary", "Programme running.", "--date", "2026-11-01")
    assert run(*first, root=workspace).exit_code == 0
    rec = by_number(report(run, workspace, "--as-of", "2026-12-01"))[29]
    assert rec["awaiting"] == ["DCMS", "LA"]  # LA's returns are made by OHID; the owner awaited is LA
    assert run("report", "--as-of", "2026-12-01", "--format", "csv", root=workspace).stdout.count(",DCMS LA,\n") >= 1
    assert "Departments: GREEN, awaiting DCMS, LA (via OHID)" in " ".join(run("show", "29", root=workspace).stdout.split())
    moved = ("update", "2", "--dept", "DHSC", "--rag", "amber", "--summary", "Slipped.", "--date", "2026-11-01")
    assert run(*moved, "--target-date", "2026-11-30", "--reason", "Late data.", root=workspace).exit_code == 0
    assert "2 (1 day)" in run("paper", "--as-of", "2026-12-01", root=workspace).stdout


def test_only_a_deadline_can_be_missed(run: Run, workspace: Path) -> None:
    """Rec 3's date is a start ("from 2022 to 2023") and 28's the earliest ("after 2 years"): never
    overdue; a revised target date a lead gives is a deadline all the same."""
    recs = by_number(report(run, workspace, "--as-of", "2026-12-01"))
    assert [(recs[n]["deadline"], recs[n]["overdue"]) for n in (3, 28, 12)] == [
        ("2022-04-01", False),
        ("2023-07-31", False),
        ("2022-03-31", True),
    ]
    text = " ".join(run("show", "3", root=workspace).stdout.split())
    assert "Starts: 2022-04-01 (“from 2022 to 2023”) (not a deadline: overdue only against a revised target date)" in text
    assert json.loads(run("show", "28", "--format", "json", root=workspace).stdout)["deadline_kind"] == "earliest"
    moved = ("update", "3", "--dept", "DHSC", "--rag", "amber", "--summary", "Ring-fence due.", "--date", "2026-01-05")
    assert run(*moved, "--target-date", "2026-03-31", "--reason", "Grant conditions.", root=workspace).exit_code == 0
    assert by_number(report(run, workspace, "--as-of", "2026-12-01"))[3]["overdue"] is True
    marker = workspace / "recommendations.yaml"
    marker.write_text(marker.read_text().replace("      kind: start\n", "      kind: soon\n", 1))
    result = run("check", root=workspace)
    assert result.exit_code == 1 and "kind: 'soon' is not one of: deadline, start, earliest" in result.stdout
    marker.write_text(marker.read_text().replace("      kind: soon\n", "      kind:\n", 1))  # empty: never silently dropped
    result = run("check", root=workspace)
    assert result.exit_code == 1 and "kind: is empty; give one of: deadline, start, earliest" in result.stdout


def test_page_one_and_the_exceptions_stay_short_however_many_there_are(
    run: Run, board: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.output.paper.LISTED", 3)
    monkeypatch.setattr("tracker.output.paper.EXCEPTIONS_LISTED", 5)
    paper = run("paper", "--as-of", AS_OF, "--since", "2025-03-31", root=board).stdout
    glance = paper[paper.index("## At a glance") : paper.index("## The board is asked to")]
    assert "**Overdue (10):** 21 (1,342 days); 23 (1,342 days); 24 (1,277 days); and 7 more (Appendix C)" in glance
    monkeypatch.setattr("tracker.output.paper.LONG", 4)
    paper = run("paper", "--as-of", AS_OF, "--since", "2025-03-31", root=board).stdout
    glance = paper[paper.index("## At a glance") : paper.index("## The board is asked to")]
    assert "**No return (27):** 1, 2, 3, 4, and 23 more (Appendix C)." in glance
    assert (
        "**Returns owed:** 12 bodies owe 70 returns (how many each): DHSC 23, OHID 14, NHSE 10, DWP 7, and 8 more (Chasing)."
        in glance
    )
    assert "| DHSC | **2**, **3**, **4**, and 19 more (tracker chase --dept DHSC) | 2025-05-15 |" in paper
    part = paper[paper.index("## Exceptions") : paper.index("## Chasing")]
    assert "are exceptions, too many to list here: each is in Appendix C" in part and "- **" not in part
    assert (
        "### Overdue (8)\n\n| Section | How many | Recommendations |" in part
        and "| 3.11 Mental health support | 2 | 24, 26 |" in part  # "and 1 more" would say no less
    )
    no_return = part[part.index("### No return") :]
    assert re.search(r"^\| \d+ more sections \| \d+ \| Appendix C \|$", no_return, re.M)  # however many sections
    assert len(re.findall(r"^\| \d", no_return, re.M)) == 3 + 1  # the LISTED with the most, then the rest counted
    appendix = paper[paper.index("## Appendix C: every exception") :]
    listed = re.findall(r"^- \*\*(\d+)\. ", appendix, re.M)
    assert "29 recommendations are exceptions" in part and len(listed) == len(set(listed)) == 29


def test_a_paper_on_one_section(run: Run, board: Path) -> None:
    paper = run("paper", "--as-of", AS_OF, "--since", "2025-03-31", "--section", "3.6", root=board).stdout
    assert paper.splitlines()[0].endswith(": section 3.6")
    assert "on the 1 recommendation in section 3.6 of" in paper
    assert exceptions_of(paper) == ["17"] and re.findall(r"^\| (\d+) \| 3\.", paper, re.M) == ["17"]  # Appendix A
    assert "Received: 17 (DHSC AMBER, MoJ RED, HMPS RED, NHSE AMBER)." in paper  # what arrived on it alone
    whole = run("paper", "--as-of", AS_OF, "--since", "2025-03-31", "--section", "3", root=board).stdout
    rows = re.findall(r"^\| (\d+) \| (\d\.\d+) \|", whole, re.M)  # Appendix A: number and section
    assert {"9", "17"} <= {n for n, _ in rows} and all(section.startswith("3.") for _, section in rows)
    assert not re.findall(r"^\| (\d+) \| [245]\.", whole, re.M)  # nothing from another section
    for command in ("list", "report", "paper"):  # an empty section is the same mistake everywhere
        refused = run(command, "--section", " ", root=board)
        assert refused.exit_code == 2 and "--section: is empty; give a section of the review" in refused.stderr, command
    result = run("paper", "--section", "9", root=board)
    assert (
        result.exit_code == 3 and "--section: no recommendation is in section '9'; the sections are 2, 3, 4, 5" in result.stderr
    )


def test_the_papers_options_and_the_board_block_refuse_what_cannot_be_so(run: Run, board: Path) -> None:
    result = run("paper", "--since", "2021-01-01", root=board)
    assert result.exit_code == 3 and "--since: 2021-01-01 is before the review was published (2021-07-08)" in result.stderr
    result = run("paper", "--as-of", AS_OF, "--classification", "OFFICIAL " * 20, root=board)
    assert result.exit_code == 3 and "--classification: 179 characters; a marking such as OFFICIAL-SENSITIVE fits in 100" in (
        result.stderr
    )
    marker = with_board(board) / "recommendations.yaml"
    marker.write_text(marker.read_text().replace("classification: OFFICIAL", "classification: " + "OFFICIAL " * 20, 1))
    result = run("check", root=board)
    assert result.exit_code == 1 and "classification: 179 characters; a marking such as OFFICIAL fits in 100" in result.stdout
    marker.write_text(marker.read_text().replace("code: JCDU", "code: CON", 1))
    result = run("check", root=board)
    assert "code: CON names a device on Windows, so status/CON.yaml could not be made there" in result.stdout + result.stderr


def test_the_paper_takes_the_boards_details_from_its_block_and_the_command_line(run: Run, board: Path) -> None:
    paper = run("paper", "--as-of", AS_OF, root=with_board(board)).stdout
    assert paper.startswith("# Northshire Combating Drugs Partnership: delivery of the recommendations")
    for row in (
        "| **Board** | Northshire Combating Drugs Partnership |",
        "| **Meeting** | 3 July 2025 |",  # the board's next meeting
        "| **Paper reference** | CDP/25/07 |",
        "| **Author** | Partnership secretariat |",
        "| **Classification** | OFFICIAL |",
        "| **Position at** | 30 June 2025, with changes since the last board on 31 March 2025 |",  # the meeting before
    ):
        assert row in paper
    paper = run(
        "paper", "--as-of", AS_OF, "--reference", "CDP/25/08", "--classification", "OFFICIAL-SENSITIVE", root=board
    ).stdout
    assert "| **Paper reference** | CDP/25/08 |" in paper and "| **Classification** | OFFICIAL-SENSITIVE |" in paper
    marker = board / "recommendations.yaml"
    marker.write_text(marker.read_text().replace("2025-03-31, 2025-07-03", "2025-07-03, 2025-03-31"))
    result = run("paper", root=board)
    assert result.exit_code == 3 and "meetings: list each meeting once, in date order" in result.stderr


def test_the_paper_says_each_rating_as_a_shape_and_a_word_and_counts_in_good_grammar(run: Run, board: Path) -> None:
    paper = run("paper", "--as-of", AS_OF, root=board).stdout
    for rating in Rating:
        assert f"{rating.symbol} **{rating.word}**" in paper
    assert len({r.symbol for r in Rating}) == len(Rating)
    assert "### 3.1" not in paper and "## 1." not in paper  # no numbering to mistake for the review's sections
    assert "10 recommendations are overdue." in paper  # not 3, 7 or 28: their dates are a start and an earliest
    assert "the board has recorded 0 assessments and the departments 10 returns" in paper
    from tracker.output.paper import count

    assert (count(1, "recommendation"), count(31, "recommendation"), count(2, "body", "bodies")) == (
        "1 recommendation",
        "31 recommendations",
        "2 bodies",
    )
    run("assess", "9", "--rag", "g", "--summary", "Read the plan.", "--date", "2025-06-20", root=board)
    assert "the board has recorded 1 assessment and" in run("paper", "--as-of", AS_OF, root=board).stdout


def test_the_repository_paper_is_short_enough_to_table(run: Run, repository: Path) -> None:
    for day in ("2025-12-31", "2026-11-26", "2026-12-04"):
        paper = run("paper", "--as-of", day, root=repository).stdout
        before = paper[: paper.index("## Appendix")]
        assert len(before.split()) <= 1200, f"{day}: {len(before.split())} words before the appendices"
        # The outcomes appendix (the repository has an outcomes framework) is counted apart.
        paper, _, outcomes = paper.partition(": outcomes\n")
        assert len(paper.split()) <= 3000, f"{day}: {len(paper.split())} words in all"
        assert len(outcomes.split()) <= 600, f"{day}: {len(outcomes.split())} words in the outcomes appendix"
        exceptions = exceptions_of(paper)
        assert len(exceptions) == len(set(exceptions))


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
    assert tables_keep_their_columns(paper) >= 4
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


def test_the_example_paper_in_docs_is_the_one_the_repository_data_gives(run: Run, repository: Path) -> None:
    from .conftest import REPO

    example = (REPO / "docs" / "example-board-paper.md").read_text(encoding="utf-8")
    assert run("paper", "--as-of", "2025-12-31", root=repository).stdout == example, (
        "regenerate it: tracker paper --as-of 2025-12-31 --out docs/example-board-paper.md"
    )
    assert tables_keep_their_columns(example) >= 4
    page = (REPO / "docs" / "example-board-paper.html").read_text(encoding="utf-8")
    assert run("paper", "--as-of", "2025-12-31", "--format", "html", root=repository).stdout == page, (
        "regenerate it: tracker paper --as-of 2025-12-31 --out docs/example-board-paper.html"
    )


def test_the_boards_assessment_sets_the_headline_only_when_it_is_as_new_as_the_leads_returns(run: Run, board: Path) -> None:
    older = ("assess", "28", "--rag", "red", "--summary", "Guidance not yet taught.", "--date", "2025-06-29")
    assert run(*older, root=board).exit_code == 0
    rec = by_number(report(run, board))[28]  # DfE, the lead, reported GREEN on 2025-06-30
    assert (rec["rag"], rec["departments_rag"], rec["assessment"]["rag"]) == ("green", "green", "red")  # type: ignore[index]
    newer = ("assess", "28", "--rag", "amber", "--summary", "Read the guidance.", "--date", "2025-06-30")
    assert run(*newer, "--evidence", "https://example.org/rshe", root=board).exit_code == 0
    rec = by_number(report(run, board))[28]
    assert (rec["rag"], rec["departments_rag"]) == ("amber", "green")
    assert rec["assessment"] == {
        "rag": "amber",
        "date": "2025-06-30",
        "evidence_date": None,
        "summary": "Read the guidance.",
        "evidence": ["https://example.org/rshe"],
    }
    assert (
        run("assess", "23", "--rag", "amber", "--summary", "Housing test running.", "--date", "2025-06-01", root=board).exit_code
        == 0
    )
    later = report(run, board, "--as-of", "2026-06-30")  # an assessment does not expire with the window
    assert (by_number(later)[23]["rag"], by_number(later)[23]["departments_rag"]) == ("amber", "no_return")
    # DfE's later return (2025-07-15, RED) is newer than the board's: stale now, it counts with its rating, awaited.
    assert (by_number(later)[28]["rag"], by_number(later)[28]["awaiting"]) == ("red", ["DfE"])
    assert later["summary"]["amber"] == sum(r["rag"] == "amber" for r in later["recommendations"])  # type: ignore[index, attr-defined]
    text = " ".join(run("show", "23", root=board).stdout.split())
    assert "Headline: AMBER (the board's assessment)" in text and "Departments: NO RETURN" in text
    text = " ".join(run("show", "28", root=board).stdout.split())
    assert "Headline: RED (the departments' rating)" in text and "older than the leads' latest return" in text
    history = text[text.index("Board assessments, newest first") :]
    assert history.index("2025-06-30 AMBER Read the guidance.") < history.index("2025-06-29 RED Guidance not yet taught.")
    shown = json.loads(run("show", "28", "--format", "json", root=board).stdout)
    assert shown["standing"]["rag"] == "red" and [a["rag"] for a in shown["assessments"]] == ["amber", "red"]
    assert json.loads(run("show", "23", "--format", "json", root=board).stdout)["standing"]["rag"] == "amber"
    assert run("check", root=board).stdout.startswith("ok: 32 recommendations, 22 departments, 15 returns, 3 assessments")
    assert "dept:" not in (board / "assessments.yaml").read_text()


def test_an_assessment_in_its_file_is_checked_like_a_return(run: Run, workspace: Path) -> None:
    (workspace / "assessments.yaml").write_text(
        "- recommendation: 9\n  date: 2024-01-01\n  rag: purple\n  summary: s\n  author: a\n"
        "- recommendation: 9\n  dept: DHSC\n  date: 2024-01-01\n  rag: red\n  summary: s\n  author: a\n"
    )
    result = run("check", root=workspace)
    assert result.exit_code == 1
    assert "assessments.yaml:3: recommendation 9: rag: 'purple' is not a RAG rating" in result.stdout
    assert "assessments.yaml:7: recommendation 9: dept: unknown key in an assessment" in result.stdout


def test_the_trend_counts_headlines_at_each_meeting_or_quarter(run: Run, board: Path) -> None:
    document = json.loads(run("trend", "--as-of", AS_OF, "--format", "json", root=board).stdout)
    assert document["by"] == "quarter" and document["points"][0]["date"] == "2021-09-30"
    assert document["points"][-1] == {"date": AS_OF, **report(run, board)["summary"]}  # type: ignore[dict-item]
    assert [p["date"] for p in document["points"][-3:]] == ["2024-12-31", "2025-03-31", AS_OF]
    assert all(sum(v for k, v in p.items() if k != "date") == 32 for p in document["points"])
    with_board(board)  # meetings 2025-03-31, 2025-07-03, 2025-10-02
    document = json.loads(run("trend", "--as-of", "2025-09-01", "--format", "json", root=board).stdout)
    assert document["by"] == "meeting" and [p["date"] for p in document["points"]] == ["2025-03-31", "2025-07-03", "2025-09-01"]
    rows = run("trend", "--format", "csv", root=board).stdout.splitlines()
    assert rows[0] == "\ufeffdate,red,amber,green,complete,no_return" and len(rows) == 5  # three meetings, and today
    text = run("trend", root=board).stdout
    assert text.startswith("Headline ratings at each board meeting before ") and "2025-10-02" in text
    assert run("trend", root=board).stdout == text  # the same data and date: the same bytes


def test_the_trend_reads_the_record_once_and_agrees_with_the_report_on_every_date(run: Run, board: Path) -> None:
    file_returns(board, [ret(9, "DHSC", "2025-05-01", "red", "Slipped again.")])  # two on one day, and a revision before
    run("assess", "17", "--rag", "amber", "--summary", "Board view", "--date", "2025-05-20", root=board)
    run("withdraw", "21", "--dept", "DWP", "--date", "2025-06-10", "--why", "test row", root=board)
    document = json.loads(run("trend", "--as-of", "2025-10-01", "--format", "json", root=board).stdout)
    for point in document["points"]:
        counts = report(run, board, "--as-of", point["date"])["summary"]
        assert {k: v for k, v in point.items() if k != "date"} == counts, point["date"]
