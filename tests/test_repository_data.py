"""The repository's own data: complete, valid, and quoting the review exactly."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tracker.domain.recommendations import Dataset

from .conftest import DATA, REPO, load_dataset


@pytest.fixture(scope="module")
def data() -> Dataset:
    dataset, problems = load_dataset(REPO / "recommendations.yaml")
    assert [p.describe() for p in problems] == []
    return dataset


def review_list() -> dict[int, str]:
    """Recommendation number -> text, from the review's "List of recommendations"."""
    lines = (DATA / "review-list-of-recommendations.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "List of recommendations"
    texts: dict[int, list[str]] = {}
    current = 0
    for line in lines[1:]:
        if m := re.fullmatch(r"Recommendation (\d+)", line):
            current = int(m.group(1))
            texts[current] = []
        else:
            texts[current].append(line)
    return {n: "\n".join(body).strip() for n, body in texts.items()}


def test_exactly_32_recommendations_numbered_1_to_32(data: Dataset) -> None:
    assert [r.number for r in data.recommendations] == list(range(1, 33))


def test_every_text_is_quoted_exactly_from_the_review(data: Dataset) -> None:
    expected = review_list()
    assert len(expected) == 32
    for rec in data.recommendations:
        assert rec.text == expected[rec.number], f"recommendation {rec.number}"


def test_the_packaged_data_is_the_repository_file_itself() -> None:
    """One copy: the package's recommendations.yaml is a link to the repository's, which the sdist
    and the wheel turn into the file itself."""
    packaged = REPO / "tracker" / "data" / "recommendations.yaml"
    if (REPO / ".git").exists():
        assert packaged.is_symlink() and packaged.resolve() == (REPO / "recommendations.yaml").resolve()
    assert packaged.read_bytes() == (REPO / "recommendations.yaml").read_bytes()


def test_every_recommendation_has_a_lead_and_both_2021_responses(data: Dataset) -> None:
    for rec in data.recommendations:
        assert rec.leads, rec.number
        assert {r.date for r in rec.responses} >= {date(2021, 7, 27), date(2021, 12, 6)}, rec.number
        assert all(r.category_source == "board" for r in rec.responses), "no official per-recommendation categories exist"


def test_recommendations_addressed_to_the_government_carry_the_boards_assignment(data: Dataset) -> None:
    addressed = {r.number for r in data.recommendations if r.addressed_to}
    assert addressed == {1, 2, 30, 32}
    for n in addressed:
        rec = data.recommendations[n - 1]
        assert [o.basis for o in rec.leads] == ["board"] and rec.leads[0].note, n


def test_section_numbers_and_titles_match_the_review(data: Dataset) -> None:
    headings = {}
    for line in (DATA / "review-section-headings.txt").read_text(encoding="utf-8").splitlines():
        number, title = line.split(" ", 1)
        headings[number.rstrip(".")] = title
    for rec in data.recommendations:
        assert headings.get(rec.section) == rec.section_title, rec.number
    sections = [r.section for r in data.recommendations]
    assert sections[:9] == ["2.1", "2.2", "2.3", "2.3", "2.4", "2.4", "2.5", "2.5", "3.1"]


def test_ambiguous_deadlines_record_their_reasoning(data: Dataset) -> None:
    by_number = {r.number: r for r in data.recommendations}
    for n in (2, 16, 20, 28):
        deadline = by_number[n].deadline
        assert deadline is not None and deadline.reasoning, n
    assert by_number[9].deadline is not None and by_number[9].deadline.date == date(2021, 12, 31)
    assert by_number[10].deadline is None


def test_the_registry_tells_what_became_of_each_body(data: Dataset) -> None:
    registry, today = data.registry, date(2026, 1, 1)
    assert registry.current("HEE", today).code == "NHSE"
    assert registry.current("BEIS", today).code == "DSIT"
    assert registry.resolve("Office for Health Promotion").code == "OHID"  # type: ignore[union-attr]
    assert registry.resolve("DLUHC").code == "MHCLG"  # type: ignore[union-attr]
    mhclg = registry.departments["MHCLG"]
    assert mhclg.name_on(date(2021, 7, 8)) == mhclg.name_on(today) == "Ministry of Housing, Communities and Local Government"
    assert mhclg.name_on(date(2023, 1, 1)) == "Department for Levelling Up, Housing and Communities"
