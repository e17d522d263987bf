"""The outcomes framework as data: outcomes.yaml and outcome_values.yaml, read, checked, synced,
recorded (one value or a CSV, all or nothing), shown by `tracker outcomes` and in the paper."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from tracker import workspace as ws_module
from tracker.domain.outcomes import Baseline, Measure, Target, Value, judge, outcome_names, parse_period, sparkline
from tracker.yamlio.outcomes import load_outcomes, read_values, value_block

from .conftest import REPO, Run

OUTCOMES, VALUES = "outcomes.yaml", "outcome_values.yaml"
SOURCE = "https://example.org/statistics"


@pytest.fixture
def framed(workspace: Path) -> Path:
    """A workspace with the repository's recommendations and its outcomes framework and values."""
    for name in (OUTCOMES, VALUES):
        shutil.copy(REPO / name, workspace / name)
    return workspace


def _digests(root: Path) -> dict[str, str]:
    """The record and the database, as they are (the lock file a command leaves is neither)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.iterdir())
        if p.is_file() and p.name != ".tracker.lock"
    }


def test_the_shipped_framework_has_the_six_outcomes_and_eleven_measures_each_value_with_a_link() -> None:
    framework, values, problems = load_outcomes((REPO / OUTCOMES).read_bytes(), (REPO / VALUES).read_bytes())
    assert problems == []
    assert framework is not None
    assert [(o.name, o.kind) for o in framework.outcomes] == [
        ("Reducing drug use", "strategic"),
        ("Reducing drug-related crime", "strategic"),
        ("Reducing drug-related deaths and harm", "strategic"),
        ("Reducing drug supply", "intermediate"),
        ("Increasing engagement in drug treatment", "intermediate"),
        ("Improving drug recovery outcomes", "intermediate"),
    ]
    assert len(framework.measures) == 11
    assert framework.measures["county-lines-closed"].target == Target(
        "Close over 2,000 more county lines",
        "2024/25",
        "https://www.gov.uk/government/publications/from-harm-to-hope-a-10-year-drugs-plan-to-cut-crime-and-save-lives",
        2000,
    )
    assert values and all(v.source.startswith("https://") for v in values)
    # The package's default data is the repository's own.
    assert (REPO / "tracker" / "data" / OUTCOMES).read_bytes() == (REPO / OUTCOMES).read_bytes()


def test_periods_years_financial_years_months_and_days() -> None:
    assert parse_period("2023") == (date(2023, 1, 1), date(2023, 12, 31))
    assert parse_period("2023/24") == (date(2023, 4, 1), date(2024, 3, 31))
    assert parse_period("1999/00") == (date(1999, 4, 1), date(2000, 3, 31))
    assert parse_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_period("2024-02-03") == (date(2024, 2, 3),) * 2
    for bad in ("2023/25", "23", "2023-13", "2023-02-30", "2023 /24", "FY23"):
        with pytest.raises(ValueError):
            parse_period(bad)


def _measure(direction: str = "down", baseline: float | None = 100, target: float | None = 50) -> Measure:
    return Measure(
        "m",
        "M",
        "o",
        "count",
        direction,
        Baseline(baseline, "2021", SOURCE) if baseline is not None else None,
        Target("halve it", "2025", SOURCE, target) if target is not None else None,
    )


def _v(value: float, period: str) -> Value:
    return Value("m", period, value, SOURCE, date(2026, 1, 1))


def test_on_track_is_judged_against_a_straight_line_from_baseline_to_target() -> None:
    m = _measure()  # 100 at the end of 2021 down to 50 at the end of 2025: 87.5 a year on
    assert judge(m, _v(80, "2022")) == "on track"
    assert judge(m, _v(95, "2022")) == "off track"
    assert judge(m, _v(50, "2023")) == "met"
    assert judge(m, _v(60, "2025")) == "missed"
    assert judge(m, None) == "no value"
    assert judge(_measure(baseline=None), _v(80, "2022")) == "not judged"
    assert judge(_measure(target=None), _v(80, "2022")) == "no target"
    assert judge(_measure("up", 0, 2000), _v(1000, "2023")) == "on track"  # half the value, a quarter... of the time
    assert judge(_measure("up", 0, 2000), _v(100, "2025-06")) == "off track"


def test_sparkline_and_outcome_names() -> None:
    assert sparkline([1, 2, 3]) == "▁▅█"
    assert sparkline([5, 5]) == "▄▄"
    assert sparkline([]) == ""
    framework, _, _ = load_outcomes((REPO / OUTCOMES).read_bytes(), None)
    assert outcome_names(["drug-supply", "deaths-and-harm", "drug-supply", "local-aim"], framework) == [
        "Reducing drug-related deaths and harm",
        "Reducing drug supply",
        "local-aim",
    ]


def test_a_value_block_reads_back_exactly() -> None:
    v = Value("m", "2023/24", 40.7, "https://example.org/a?b=1&c=#x", date(2026, 1, 2), 'a "quoted": note # not a comment')
    back, problems = read_values(value_block(v).encode())
    assert problems == []
    assert back == [v._replace(line=1)]


def test_outcomes_shows_each_measure_against_baseline_and_target(run: Run, framed: Path) -> None:
    result = run("outcomes", "--as-of", "2026-01-01", root=framed)
    assert result.exit_code == 0, result.stderr
    assert "Reducing drug supply (intermediate)" in result.stdout
    line = next(x for x in result.stdout.splitlines() if x.startswith("    latest 2,100"))
    assert "baseline 0 (2022-03)" in line and "target 2,000 by 2024/25" in line and "+2,100 since baseline, better" in line
    assert "; met;" in line and "trend ▁█" in line
    document = json.loads(run("outcomes", "--as-of", "2023-06-30", "--format", "json", root=framed).stdout)
    supply = next(o for o in document["outcomes"] if o["code"] == "drug-supply")
    lines = supply["measures"][0]
    assert lines["latest"]["period"] == "2023-03-20" and lines["on_track"] == "on track"  # 1,000 of 2,000 a year in
    assert [v["period"] for v in lines["values"]] == ["2023-03-20"]  # September 2023's had not ended yet
    rows = run("outcomes", "--format", "csv", root=framed).stdout.lstrip("\ufeff").splitlines()
    assert rows[0].startswith("outcome,kind,measure,") and len(rows) == 12


def test_a_workspace_without_outcomes_works_as_before(run: Run, workspace: Path) -> None:
    check = run("check", root=workspace)
    assert check.exit_code == 0 and "outcome" not in check.stdout
    assert ": outcomes\n" not in run("paper", root=workspace).stdout
    result = run("outcomes", root=workspace)
    assert result.exit_code == 2 and "no outcomes.yaml" in result.stderr


def test_outcome_add_appends_a_block_and_refuses_a_changed_value(run: Run, framed: Path) -> None:
    args = ["outcome", "add", "drug-misuse-deaths", "--value", "3900", "--period", "2024", "--source", SOURCE]
    result = run(*args, "--note", "provisional", root=framed)
    assert result.exit_code == 0, result.stderr
    assert "recorded drug-misuse-deaths 2024: 3900" in result.stdout
    text = (framed / VALUES).read_text()
    assert text.endswith(
        '- measure: drug-misuse-deaths\n  period: "2024"\n  value: 3900\n  source: '
        + SOURCE
        + "\n  note: provisional\n  recorded: 2026-12-01\n"
    )
    again = run(*args, root=framed)
    assert again.exit_code == 0 and "recorded already" in again.stdout
    before = _digests(framed)
    changed = run(*args[:4], "3901", *args[5:], root=framed)
    assert changed.exit_code == 3
    assert "drug-misuse-deaths has a value for 2024 already" in changed.stderr and "nothing was recorded" in changed.stderr
    assert _digests(framed) == before
    assert (
        json.loads(run("outcomes", "--format", "json", root=framed).stdout)["outcomes"][2]["measures"][0]["latest"]["value"]
        == 3900
    )
    assert run("check", root=framed).stdout.endswith("8 outcome values, no problems\n")


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--value", "1,000", "--value: '1,000' is not a number tracker keeps (write it without thousands separators)"),
        ("--value", "nan", "--value: 'nan' is not a number tracker keeps"),
        ("--value", "0.1234567", "--value: '0.1234567' is not a number tracker keeps"),
        ("--value", "1234567890123456", "--value: '1234567890123456' is not a number tracker keeps"),
        ("--period", "2027", "--period: 2027 has not begun on 2026-12-01; a value is recorded once it is published"),
        ("--period", "2023/25", "--period: 2023/25 is not a financial year: the second year follows the first (2023/24)"),
        ("--source", "ftp://x.org/a", "--source: 'ftp://x.org/a' is not an http(s) URL"),
    ],
)
def test_outcome_add_refuses_bad_input_in_one_line(run: Run, framed: Path, option: str, value: str, said: str) -> None:
    given = {"--value": "1", "--period": "2024", "--source": SOURCE, option: value}
    before = _digests(framed)
    result = run("outcome", "add", "drug-misuse-deaths", *(x for kv in given.items() for x in kv), root=framed)
    assert result.exit_code == 3
    assert result.stderr.startswith(f"tracker: error: {said}") and result.stderr.count("\n") == 1
    assert _digests(framed) == before


def test_outcome_add_of_an_unknown_measure_names_the_measures(run: Run, framed: Path) -> None:
    result = run("outcome", "add", "drug-deaths", "--value", "1", "--period", "2024", "--source", SOURCE, root=framed)
    assert result.exit_code == 3
    assert result.stderr.startswith("tracker: error: measure: 'drug-deaths' is not a measure of the framework; the measures are:")


def _csv(path: Path, *rows: str) -> Path:
    path.write_text("measure,period,value,source,note\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_import_is_all_or_nothing_and_skips_what_is_recorded(run: Run, framed: Path, tmp_path: Path) -> None:
    good = _csv(
        tmp_path / "v.csv",
        f"ocg-disruptions,2022/23,5500,{SOURCE},",
        f"ocg-disruptions,2023/24,6000,{SOURCE},provisional",
        "drug-misuse-deaths,2023,3618,https://caithness-business.co.uk/article/25004,",  # recorded already
    )
    bad = _csv(tmp_path / "bad.csv", f"ocg-disruptions,2024/25,6500,{SOURCE},", f"ocg-disruptions,2025/26,lots,{SOURCE},")
    assert run("outcomes", root=framed).exit_code == 0  # tracker.db built: it must stay as it is too
    before = _digests(framed)
    result = run("outcome", "import", str(bad), root=framed)
    assert (result.exit_code, result.stderr) == (
        3,
        f"tracker: error: {bad}:3: value: 'lots' is not a number tracker keeps: a plain decimal such as 3618, 40.7 or -2,"
        " at most 15 digits and 6 after the point, with no exponent and no sign but -\n",
    )  # file:line: field
    assert _digests(framed) == before
    twice = _csv(tmp_path / "twice.csv", f"ocg-disruptions,2024/25,6500,{SOURCE},", f"ocg-disruptions,2024/25,6600,{SOURCE},")
    result = run("outcome", "import", str(twice), root=framed)
    assert result.exit_code == 3 and f"{twice}:3: period: ocg-disruptions has a value for 2024/25 already" in result.stderr
    assert _digests(framed) == before
    result = run("outcome", "import", str(good), root=framed)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"imported 2 values from {good}; 1 already recorded\n"
    assert run("outcome", "import", str(good), root=framed).stdout == f"imported 0 values from {good}; 3 already recorded\n"
    assert run("check", root=framed).exit_code == 0


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "the file is empty"),
        (b"measure,period,value\nx,2023,1\n", ":1: no 'source' column"),
        (b"measure,period,value,source,colour\n", ":1: the column 'colour' is not one tracker reads"),
        (b"measure,period,value,source\nx,2023,1\n", ":2: has 3 cells where the header has 4"),
        (b"measure,period,value,source\nx,,1,https://a.org\n", ":2: period: is empty"),
        (
            b"measure,period,value,source\nx,2023,1,javascript:alert(1)\n",
            ":2: source: 'javascript:alert(1)' is not an http(s) URL",
        ),
        (b"\xff\xfem\x00", "is UTF-16 text"),
        (b"measure,period,value,source\nx,2023,1,https://a.org/\xe9\n", ":2: byte 0xe9 is not UTF-8"),
    ],
)
def test_import_names_the_line_and_field_of_a_bad_file(run: Run, framed: Path, tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "v.csv"
    path.write_bytes(content)
    before = _digests(framed)
    result = run("outcome", "import", str(path), root=framed)
    assert result.exit_code == 3
    assert result.stderr.startswith(f"tracker: error: {path}") and said in result.stderr and result.stderr.count("\n") == 1
    assert _digests(framed) == before


def test_a_failed_append_leaves_every_file_and_the_database_as_they_were(
    run: Run, framed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("outcomes", root=framed).exit_code == 0  # tracker.db built
    before = _digests(framed)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ws_module, "_append", full_disk)
    result = run("outcome", "add", "ocg-disruptions", "--value", "1", "--period", "2024", "--source", SOURCE, root=framed)
    assert (
        result.exit_code == 3 and "no space left on device" in result.stderr.lower() and "nothing was recorded" in result.stderr
    )
    assert _digests(framed) == before
    assert not (framed / ws_module.JOURNAL).exists()


@pytest.mark.parametrize(
    ("yaml", "said"),
    [
        (
            b"- measure: nope\n  period: '2023'\n  value: 1\n  source: https://a.org\n  recorded: 2026-01-01\n",
            "{0}: measure: 'nope'",
        ),
        (
            b"- measure: drug-misuse-deaths\n  period: '2024'\n  value: 1e3\n  source: https://a.org\n  recorded: 2026-01-01\n",
            "{2}: value: '1e3' is not a number tracker keeps",
        ),
        (
            b"- measure: drug-misuse-deaths\n  period: '2024'\n  value: 1\n  source: file:///etc\n  recorded: 2026-01-01\n",
            "{3}: source",
        ),
        (
            b"- measure: drug-misuse-deaths\n  period: '2023'\n  value: 1\n  source: https://a.org\n  recorded: 2026-01-01\n",
            "{0}: period: drug-misuse-deaths has a value for 2023 already",
        ),
        (
            b"- measure: drug-misuse-deaths\n  period: '2024'\n  value: 1\n  source: https://a.org\n  recorded: 2026-01-01\n"
            b"  colour: red\n",
            "{5}: colour: unknown key",
        ),
        (b"- &a {measure: x}\n- *a\n", "{0}: a value: this value is used again through an alias"),
        (b"- !!python/object:os.system {}\n", "{0}: a value: the tag !!python/object:os.system is not allowed"),
    ],
)
def test_check_names_file_line_and_field_of_a_bad_value(run: Run, framed: Path, yaml: bytes, said: str) -> None:
    shipped = (REPO / VALUES).read_bytes()
    (framed / VALUES).write_bytes(shipped + b"\n" + yaml)
    first = shipped.count(b"\n") + 2  # the line the block starts on
    result = run("check", root=framed)
    assert result.exit_code in (1, 3)
    said = f"{VALUES}:" + said.format(*range(first, first + 6))
    assert said in result.stdout + result.stderr
    assert run("outcomes", root=framed).exit_code == 3  # every command refuses a record that breaks a rule


def test_check_refuses_a_bad_unit_direction_or_repeated_code(run: Run, framed: Path) -> None:
    text = (framed / OUTCOMES).read_text()
    text = text.replace("unit: per 1,000", "unit: people", 1).replace("direction: up", "direction: sideways", 1)
    text = text.replace("code: drug-admissions", "code: drug-misuse-deaths", 1)
    (framed / OUTCOMES).write_text(text)
    out = run("check", "--format", "json", root=framed)
    assert out.exit_code == 1
    messages = [(p["file"], p["field"], p["message"]) for p in json.loads(out.stdout)["problems"]]
    assert (OUTCOMES, "unit", "'people' is not one of: count, percent, per 1,000, per 100,000, per million") in messages
    assert any(f == "direction" and "'sideways'" in m for _, f, m in messages)
    assert any(f == "code" and "drug-misuse-deaths is used twice" in m for _, f, m in messages)


def test_the_database_follows_the_files_and_forgets_them_when_gone(run: Run, framed: Path, open_db) -> None:  # type: ignore[no-untyped-def]
    assert run("outcomes", root=framed).exit_code == 0
    conn = open_db(framed)
    assert conn.execute("SELECT count(*) FROM measures").fetchone()[0] == 11
    assert tuple(conn.execute("SELECT period_start, period_end FROM measure_values WHERE period = '2022/23'").fetchone()) == (
        "2022-04-01",
        "2023-03-31",
    )
    (framed / VALUES).unlink()
    (framed / OUTCOMES).unlink()
    assert run("report", root=framed).exit_code == 0
    assert conn.execute("SELECT count(*) FROM measures").fetchone()[0] == 0


def test_the_paper_has_an_outcomes_section_with_a_chart_per_measure_with_values(run: Run, framed: Path, tmp_path: Path) -> None:
    md = run("paper", "--as-of", "2026-01-01", root=framed).stdout
    assert "outcome" not in md.split("## Appendix", 1)[0].lower()  # the part before the appendices is as short as it was
    section = md.split(": outcomes\n", 1)[1]
    assert "3 of the outcomes framework's 11 measures have a value up to 1 January 2026; 2 have a numeric target" in section
    assert "(1 met, 1 no value)." in section
    assert "The measures of the National Combating Drugs Outcomes Framework (22 May 2023), each against" in section
    assert "| Reducing drug supply | Number of county lines closed since April 2022 | 2,100 (2023-09) | 0 (2022-03) |" in section
    html = run("paper", "--as-of", "2026-01-01", "--format", "html", root=framed).stdout
    assert html.count('class="measure"') == 3  # county lines, continuity of care, deaths
    assert '<desc id="measure-1-desc">' in html
    out = tmp_path / "p.docx"
    assert run("paper", "--as-of", "2026-01-01", "--out", str(out), root=framed).exit_code == 0
    import zipfile

    with zipfile.ZipFile(out) as z:
        assert sorted(n for n in z.namelist() if "measure" in n) == [f"word/media/measure{i}.png" for i in (1, 2, 3)]
        assert z.read("word/media/measure1.png").startswith(b"\x89PNG")
