"""Reading recommendations.yaml: located problems, refused input, no YAML 1.1 guessing."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tracker.errors import DataError
from tracker.yamlio.recommendations import parse_recommendations

from .conftest import DATA, load_dataset

MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")
BAD = sorted((DATA / "bad").glob("*.yaml"))


def expectation(path: Path) -> tuple[int, int, str]:
    header = path.read_bytes().split(b"\n", 1)[0].decode()
    m = re.fullmatch(r"# expect: exit=(\d) line=(\d+) message=(.*)", header)
    assert m, f"{path.name} has no expectation header"
    return int(m.group(1)), int(m.group(2)), m.group(3)


def read(text: str) -> tuple[object, list[str]]:
    data, problems = parse_recommendations(text.encode("utf-8"))
    return data, [p.describe() for p in problems]


def test_minimal_file_is_valid() -> None:
    data, problems = load_dataset(DATA / "minimal.yaml")
    assert problems == []
    assert [r.number for r in data.recommendations] == [1, 2]
    assert data.recommendations[0].owners[0].line == 34


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_file_is_reported_at_its_line(path: Path) -> None:
    exit_code, line, message = expectation(path)
    if exit_code == 3:
        with pytest.raises(DataError) as caught:
            load_dataset(path)
        error = caught.value
        assert error.file == "recommendations.yaml"
        assert (error.line or 0) == line, str(error)
        assert message in str(error)
        assert "\n" not in str(error)
    else:
        _, problems = load_dataset(path)
        assert problems, "expected a problem"
        assert any(p.line == line and message in p.describe() for p in problems), [p.describe() for p in problems]


def test_the_corpus_covers_both_kinds_of_failure() -> None:
    kinds = {expectation(p)[0] for p in BAD}
    assert kinds == {1, 3} and len(BAD) >= 30


def test_an_alias_bomb_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(DataError, match="anchors and aliases"):
        load_dataset(DATA / "bad" / "alias-bomb.yaml")
    assert time.perf_counter() - started < 5  # a walk of the expansion would never finish


def test_text_fields_keep_what_was_written_without_yaml_11_guessing() -> None:
    text = (
        MINIMAL.replace("    title: Fund the treatment system", "    title: NO")
        .replace("    section_title: Funding", "    section_title: 2021-12-31")
        .replace('    section: "3.10"', "    section: 3.10")
        .replace("    title: Understand housing need", "    title: 1:30")
    )
    data, problems = read(text)
    assert problems == []
    first, second = data.recommendations  # type: ignore[attr-defined]
    assert (first.title, first.section_title) == ("NO", "2021-12-31")
    assert (second.section, second.title) == ("3.10", "1:30")


def test_null_is_an_empty_value_not_the_word_null() -> None:
    for value in ("~", "null", ""):
        _, problems = read(MINIMAL.replace("    title: Fund the treatment system", f"    title: {value}"))
        assert problems == ["recommendations.yaml:30: recommendation 1: title: is empty"], value
    data, problems = read(MINIMAL.replace("    title: Fund the treatment system", '    title: "null"'))
    assert problems == [] and data.recommendations[0].title == "null"  # type: ignore[attr-defined]


def test_a_quoted_number_is_still_a_number() -> None:
    data, problems = read(MINIMAL.replace("  - number: 2\n", '  - number: "2"\n'))
    assert problems == [] and data.recommendations[1].number == 2  # type: ignore[attr-defined]


def test_a_word_where_a_number_belongs_is_a_problem() -> None:
    _, problems = read(MINIMAL.replace("  - number: 2\n", "  - number: two\n"))
    assert problems == [
        "recommendations.yaml:48: number: 'two' is not a whole number",
        "recommendations.yaml:27: recommendation 1: links: links to recommendation 2, which does not exist",
    ]


def test_a_byte_order_mark_is_accepted() -> None:
    data, problems = parse_recommendations(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert problems == [] and len(data.recommendations) == 2


def test_the_text_keeps_its_lines() -> None:
    text = MINIMAL.replace(
        "      We recommend that DHSC fund the treatment system.\n",
        "      We recommend that DHSC:\n      - fund it\n      - staff it\n",
    )
    data, problems = read(text)
    assert problems == []
    assert data.recommendations[0].text == "We recommend that DHSC:\n- fund it\n- staff it"  # type: ignore[attr-defined]


def test_several_problems_are_all_reported() -> None:
    text = MINIMAL.replace("    owners:\n      - dept: DHSC\n        role: lead\n", "").replace(
        "      date: 2021-12-31", "      date: 2021-13-01"
    )
    _, problems = read(text)
    assert problems == [
        "recommendations.yaml:35: recommendation 1: date: 2021-13-01 is not a real date",
        "recommendations.yaml:27: recommendation 1: owners: has no owner",
    ]


SUITE = sorted((DATA / "yaml-test-suite").glob("*/*.yaml"))


@pytest.mark.parametrize("path", SUITE, ids=[f"{p.parent.name}/{p.stem[:20]}" for p in SUITE])
def test_yaml_test_suite_inputs_end_in_one_located_error(path: Path) -> None:
    """None of these is a tracker file: each must be refused or reported, never crash."""
    try:
        _, problems = load_dataset(path)
    except DataError as e:
        assert e.file == "recommendations.yaml" and "\n" not in str(e)
    else:
        assert problems
