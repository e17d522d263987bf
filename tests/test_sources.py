"""Sources beyond the review: a partnership's local delivery plan under the national
recommendations, its own references, words and bodies, and what it delivers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest

from .conftest import DATA, Run, made_once

PLAN = DATA / "partnership_plan.yaml"
NAME = "Cambridgeshire and Peterborough"


@pytest.fixture(scope="module")
def _partnership(click_app: click.Command, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with made_once(click_app) as run:
        return _made(run, tmp_path_factory.mktemp("partnership") / "cp")


@pytest.fixture
def partnership(_partnership: Path, tmp_path: Path) -> Path:
    """A partnership's workspace with its 20 local actions, and returns on two of them (made once,
    copied for each test)."""
    return Path(shutil.copytree(_partnership, tmp_path / "cp", symlinks=True))


def _made(run: Run, root: Path) -> Path:
    made = run("init", str(root), "--partnership", NAME)
    assert made.exit_code == 0, made.stderr
    shutil.copyfile(PLAN, root / "sources" / "plan.yaml")
    first = ("--date", "2026-06-01", "--author", "DI Smith")
    assert (
        run(
            "update", "CP-1", "--dept", "POLICE", "--rag", "amber", "--summary", "12 lines disrupted", *first, root=root
        ).exit_code
        == 0
    )
    second = ("--date", "2026-06-02", "--author", "A Jones")
    assert (
        run("update", "cp-10", "--dept", "CPH", "--rag", "red", "--summary", "Naloxone stalled", *second, root=root).exit_code
        == 0
    )
    return root


def test_init_partnership_starts_a_plan_under_the_national_recommendations(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "new"
    made = run("init", str(root), "--partnership", NAME)
    assert made.exit_code == 0, made.stderr
    assert (root / "sources" / "plan.yaml").is_file()
    assert "follow: false" in (root / "recommendations.yaml").read_text(encoding="utf-8")
    framework = (root / "outcomes.yaml").read_text(encoding="utf-8")  # the measures, without England's targets
    assert "\n        target:" not in framework and "\n        baseline:" not in framework
    assert framework.count("\n  - code:") + framework.count("\n      - code:") == 17  # 6 outcomes, 11 measures
    assert "- measure:" not in (root / "outcome_values.yaml").read_text(encoding="utf-8")
    checked = run("check", root=root)
    assert checked.exit_code == 0, checked.stdout
    assert checked.stdout == (
        "ok: 32 recommendations, 0 plan actions, 31 departments, 0 returns, 0 assessments,"
        " 6 outcomes, 11 measures, 0 outcome values, no problems\n"
    )
    assert run("init", str(root), "--partnership", NAME).exit_code == 2  # never over a workspace
    assert run("init", str(tmp_path / "x"), "--partnership", " ").exit_code == 2


def test_check_counts_each_source_in_its_own_words(run: Run, partnership: Path) -> None:
    checked = run("check", root=partnership)
    assert checked.stdout == (
        "ok: 32 recommendations, 20 plan actions, 31 departments, 2 returns, 0 assessments,"
        " 6 outcomes, 11 measures, 0 outcome values, no problems\n"
    )


def test_a_return_names_a_local_action_by_its_ref(partnership: Path) -> None:
    text = (partnership / "status" / "POLICE.yaml").read_text(encoding="utf-8")
    assert "- recommendation: CP-1\n" in text
    assert "- recommendation: CP-10\n" in (partnership / "status" / "CPH.yaml").read_text(encoding="utf-8")


def test_reports_and_the_chase_cover_the_plan_not_the_recommendations_kept_for_reference(run: Run, partnership: Path) -> None:
    report = json.loads(run("report", "--format", "json", root=partnership).stdout)
    refs = [r["ref"] for r in report["recommendations"]]
    assert refs == [f"CP-{n}" for n in range(1, 21)]
    assert {r["source"] for r in report["recommendations"]} == {"plan"}
    assert report["summary"]["red"] == 1 and report["summary"]["amber"] == 1
    chase = json.loads(run("chase", "--format", "json", root=partnership).stdout)
    text = json.dumps(chase)
    assert '"HO"' not in text and '"DHSC"' not in text and '"CPH"' in text


def test_show_of_a_national_recommendation_lists_its_local_actions_rolled_up(run: Run, partnership: Path) -> None:
    shown = run("show", "R11", root=partnership)
    assert shown.exit_code == 0, shown.stderr
    assert "Recommendation R11: Local authorities commission the full range of services" in shown.stdout
    assert "Kept for reference" in shown.stdout
    assert "Rolled up from the 2 actions delivering it: RED, awaiting CP-16" in shown.stdout
    assert run("show", "11", root=partnership).stdout == shown.stdout  # the review's own number names it too
    action = run("show", "CP-10", "--format", "json", root=partnership)
    document = json.loads(action.stdout)
    assert (document["ref"], document["source"], document["delivers"]) == ("CP-10", "plan", ["R11"])
    assert document["outcomes"] == ["deaths-and-harm"]
    national = json.loads(run("show", "R11", "--format", "json", root=partnership).stdout)
    assert national["rolled_up_rag"] == "red"
    assert [i["ref"] for i in national["delivered_by"]] == ["CP-10", "CP-16"]


def test_report_roll_up_rates_each_national_recommendation_from_its_actions(run: Run, partnership: Path) -> None:
    document = json.loads(run("report", "--roll-up", "--format", "json", root=partnership).stdout)
    rolled = {r["ref"]: r["rolled_up_rag"] for r in document["recommendations"]}
    assert rolled["R1"] == "amber"  # CP-1 amber; CP-3 silent does not blank it
    assert rolled["R11"] == "red"
    assert rolled["R2"] == "no_return"
    assert "R5" not in rolled  # no action delivers it
    text = run("report", "--roll-up", root=partnership).stdout
    assert "R11" in text and "CP-10 RED" in text
    assert (
        run("report", "--roll-up", "--format", "csv", root=partnership)
        .stdout.splitlines()[0]
        .endswith("ref,title,rolled_up_rag,item,item_title,item_rag")
    )


def test_the_paper_speaks_of_the_plan_in_its_own_words(run: Run, partnership: Path, tmp_path: Path) -> None:
    out = tmp_path / "paper.md"
    made = run("paper", "--as-of", "2026-06-30", "--out", str(out), root=partnership)
    assert made.exit_code == 0, made.stderr
    paper = out.read_text(encoding="utf-8")
    assert paper.startswith(f"# {NAME} Combating Drugs Partnership board: delivery of the actions of the {NAME}")
    assert f"To update the board on the 20 actions of the {NAME} Combating Drugs Partnership delivery plan (2025)" in paper
    assert "Dame Carol Black's review" not in paper and "32 recommendations" not in paper
    assert "agree action with the owners of the red actions (CP-10)" in paper
    assert "## Appendix A: actions by section" in paper and "## Appendix B: actions by owner" in paper
    assert "| R11 | Local authorities commission the full range of services | ✖ **RED** | CP-10 RED; CP-16 NO RETURN |" in paper
    assert "1000" not in paper  # tracker's own numbers for the items never show
    assert "**CP-10. Naloxone for people at risk of overdose**: ✖ **RED** (owners);" in paper
    assert "was NO RETURN on 1 April 2026; serves Reducing drug-related deaths and harm." in paper


def test_imports_exports_and_packs_name_local_actions_by_ref(run: Run, partnership: Path, tmp_path: Path) -> None:
    pack = run("pack", "--dept", "TREAT", root=partnership)
    assert pack.exit_code == 0, pack.stderr
    assert "\nCP-7,TREAT," in pack.stdout
    csv = tmp_path / "returns.csv"
    csv.write_text(
        "recommendation,dept,date,rag,summary,author\nCP-7,TREAT,03/06/2026,green,Caseloads at 48,B Lee\n", encoding="utf-8"
    )
    imported = run("import", str(csv), root=partnership)
    assert imported.exit_code == 0, imported.stderr
    exported = run("export", root=partnership).stdout
    assert "CP-7,TREAT,2026-06-03,green,Caseloads at 48,B Lee" in exported
    back = tmp_path / "again.csv"
    back.write_text(exported, encoding="utf-8")
    again = run("import", str(back), root=partnership)
    assert again.exit_code == 0 and "imported 0 returns" in again.stdout and "3 already recorded" in again.stdout


def test_corrections_and_assessments_name_local_actions_by_ref(run: Run, partnership: Path) -> None:
    said = ("--summary", "Naloxone restarted", "--date", "2026-06-10", "--author", "Board")
    assert run("assess", "CP-10", "--rag", "amber", *said, root=partnership).exit_code == 0
    assert "- recommendation: CP-10\n" in (partnership / "assessments.yaml").read_text(encoding="utf-8")
    why = ("--date", "2026-06-01", "--why", "sent twice", "--author", "Sec")
    assert run("withdraw", "CP-1", "--dept", "POLICE", *why, root=partnership).exit_code == 0
    assert "    recommendation: CP-1\n" in (partnership / "status" / "POLICE.yaml").read_text(encoding="utf-8")
    assert run("check", root=partnership).exit_code == 0


@pytest.mark.parametrize(
    "old, new, says",
    [
        (
            "    delivers: [R11]\n",
            "    delivers: [R99]\n",
            "sources/plan.yaml:{line}: action CP-10: delivers: 'R99' is no item of any source",
        ),
        ("  - ref: CP-2\n", "  - ref: CP-1\n", "sources/plan.yaml:{line}: action CP-1: ref: CP-1 already names action CP-1"),
        ("  - ref: CP-2\n", "  - ref: R12\n", "ref: 'R12' is not a reference"),
        ("  - ref: CP-2\n", "  - ref: r05\n", "ref: 'r05' is not a reference"),
        ("  - ref: CP-2\n", "  - ref: '12'\n", "ref: '12' is not a reference"),
        ("    delivers: [R11]\n", "    delivers: [CP-3]\n", "delivers: CP-3 is in the same plan"),
        (
            "  - code: POLICE\n",
            "  - code: HO\n",
            "sources/plan.yaml:{line}: code: HO is already in the registry (recommendations.yaml:",
        ),
        ("        role: lead\n", "        role: leader\n", "role: 'leader' is not one of: lead, support"),
        ("  published: 2025-04-01\n", "  published: 1 April\n", "sources/plan.yaml:{line}: published:"),
    ],
)
def test_a_broken_plan_is_named_by_file_line_and_field(run: Run, partnership: Path, old: str, new: str, says: str) -> None:
    path = partnership / "sources" / "plan.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = {p: p.read_bytes() for p in (partnership / "status").iterdir()}
    checked = run("check", root=partnership)
    assert checked.exit_code == 1, checked.stdout
    assert says.format(line=line) in checked.stdout, checked.stdout
    refused = run("report", root=partnership)
    assert refused.exit_code == 3 and refused.stderr.count("\n") >= 1
    assert {p: p.read_bytes() for p in (partnership / "status").iterdir()} == before


def test_a_return_on_an_unknown_ref_is_refused(run: Run, partnership: Path) -> None:
    path = partnership / "status" / "POLICE.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n- recommendation: CP-99\n  dept: POLICE\n  date: 2026-06-05\n"
        "  rag: green\n  summary: x\n  author: y\n",
        encoding="utf-8",
    )
    checked = run("check", root=partnership)
    assert checked.exit_code == 1
    assert "status/POLICE.yaml:" in checked.stdout and "'CP-99' names no item of any source" in checked.stdout
    assert (
        run("update", "CP-99", "--dept", "POLICE", "--rag", "red", "--summary", "s", "--author", "a", root=partnership).exit_code
        == 3
    )


def test_a_source_file_must_be_named_by_a_key(run: Run, partnership: Path) -> None:
    shutil.copyfile(partnership / "sources" / "plan.yaml", partnership / "sources" / "review.yaml")
    checked = run("check", root=partnership)
    assert checked.exit_code == 3 and "sources/review.yaml" in checked.stdout + checked.stderr


def test_a_source_with_government_responses_requires_them(run: Run, partnership: Path) -> None:
    path = partnership / "sources" / "plan.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  item: action\n", "  item: action\n  responses: true\n"), encoding="utf-8"
    )
    checked = run("check", root=partnership)
    assert checked.exit_code == 1 and "responses" in checked.stdout


def test_a_local_action_keeps_its_words_when_the_plan_changes(run: Run, partnership: Path) -> None:
    """Changing the plan reloads the record: returns still sit under their own action."""
    path = partnership / "sources" / "plan.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - ref: CP-2\n")
    end = text.index("  - ref: CP-3\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")  # CP-2 dropped: every later action moves up
    report = json.loads(run("report", "--format", "json", root=partnership).stdout)
    rags = {r["ref"]: r["rag"] for r in report["recommendations"]}
    assert rags["CP-10"] == "red" and rags["CP-1"] == "amber" and "CP-2" not in rags


def test_the_actions_log_names_local_actions_by_ref(run: Run, partnership: Path) -> None:
    added = run(
        "action",
        "add",
        "Report the naloxone plan",
        "--owner",
        "CPH",
        "--recommendation",
        "CP-10",
        "--recommendation",
        "R11",
        root=partnership,
    )
    assert added.exit_code == 0, added.stderr
    assert "  recommendations: [11, CP-10]\n" in (partnership / "actions.yaml").read_text(encoding="utf-8")
    listed = json.loads(run("action", "list", "--format", "json", root=partnership).stdout)
    assert listed["actions"][0]["recommendations"] == ["R11", "CP-10"]
    assert run("check", root=partnership).stdout.endswith(
        "2 returns, 0 assessments, 6 outcomes, 11 measures, 0 outcome values, 1 action, no problems\n"
    )
    assert run("action", "add", "x", "--owner", "CPH", "--recommendation", "CP-99", root=partnership).exit_code == 3


def test_show_says_which_outcomes_an_item_serves(run: Run, partnership: Path) -> None:
    shown = run("show", "CP-9", root=partnership).stdout
    assert "Serves: Reducing drug-related crime; Increasing engagement in drug treatment" in shown


def test_an_item_serves_only_outcomes_of_the_framework(run: Run, partnership: Path) -> None:
    path = partnership / "sources" / "plan.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    outcomes: [drug-supply]\n", "    outcomes: [supply]\n", 1), encoding="utf-8")
    checked = run("check", root=partnership)
    assert checked.exit_code == 1
    assert "sources/plan.yaml:" in checked.stdout and "outcomes: 'supply' is not an outcome of outcomes.yaml" in checked.stdout
    refused = run("report", root=partnership)
    assert refused.exit_code == 3 and "'supply' is not an outcome" in refused.stderr


STRATEGY = """source:
  title: Local drugs strategy
  author: The county council
  published: 2024-01-01
  kind: strategy
  item: commitment
  items: commitments
items:
  - ref: S-1
    section: "1"
    section_title: Supply
    title: Fewer county lines
    text: |-
      Fewer county lines.
    owners:
      - dept: POLICE
        role: lead
    delivers: [CP-1]
"""


def test_an_item_that_delivers_what_delivers_it_is_refused(run: Run, partnership: Path) -> None:
    (partnership / "sources" / "strategy.yaml").write_text(STRATEGY, encoding="utf-8")
    assert run("check", root=partnership).exit_code == 0  # S-1 delivers CP-1: a line, not a circle
    path = partnership / "sources" / "plan.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    delivers: [R1]\n", "    delivers: [R1, S-1]\n", 1), encoding="utf-8")
    checked = run("check", root=partnership)
    assert checked.exit_code == 1
    assert "action CP-1: delivers: goes round in a circle: CP-1 delivers S-1 delivers CP-1" in checked.stdout


def test_nothing_is_recorded_on_a_recommendation_kept_for_reference(run: Run, partnership: Path) -> None:
    said = ("--rag", "red", "--summary", "s", "--author", "a")
    update = run("update", "R11", "--dept", "LA", *said, root=partnership)
    assert update.exit_code == 3 and "R11 is kept for reference (follow: false in recommendations.yaml)" in update.stderr
    assess = run("assess", "11", *said, root=partnership)
    assert assess.exit_code == 3 and "kept for reference" in assess.stderr
    assert not (partnership / "assessments.yaml").exists() and not (partnership / "status" / "LA.yaml").exists()


def test_init_never_starts_a_workspace_in_another_ones_record(run: Run, partnership: Path) -> None:
    before = sorted(p.name for p in (partnership / "status").iterdir())
    made = run("init", str(partnership / "status"), "--partnership", "Y")
    assert made.exit_code == 2 and "part of the workspace's record" in made.stderr
    assert sorted(p.name for p in (partnership / "status").iterdir()) == before
    assert run("init", str(partnership / "sources" / "x")).exit_code == 2 and not (partnership / "sources" / "x").exists()


def test_check_refuses_an_entry_on_a_recommendation_kept_for_reference(run: Run, partnership: Path) -> None:
    path = partnership / "status" / "POLICE.yaml"
    block = "\n- recommendation: R1\n  dept: HO\n  date: 2026-06-05\n  rag: green\n  summary: x\n  author: y\n"
    (partnership / "status" / "HO.yaml").write_text(block, encoding="utf-8")
    checked = run("check", root=partnership)
    assert (
        checked.exit_code == 1
        and "status/HO.yaml:2: recommendation R1: recommendation: R1 is kept for reference" in checked.stdout
    )
    assert path.exists()


def test_report_roll_up_takes_no_filter_of_the_report(run: Run, partnership: Path) -> None:
    refused = run("report", "--roll-up", "--rag", "red", root=partnership)
    assert refused.exit_code == 2 and "--roll-up takes --section" in refused.stderr
