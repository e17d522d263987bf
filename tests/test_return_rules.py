"""The rules for returns, without files."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.rating import Rating, trend
from tracker.domain.recommendations import Dataset, Owner, owners_on
from tracker.domain.returns import (
    Entry,
    EntryReader,
    FieldError,
    check_return,
    check_status_file,
    file_under,
    history,
    history_by_owner,
    newest_first,
)
from tracker.errors import DataError, NotFound

from .conftest import REPO, load_dataset


@pytest.fixture(scope="module")
def data() -> Dataset:
    return load_dataset(REPO / "recommendations.yaml")[0]


def ret(number: int = 9, dept: str = "DHSC", day: date = date(2024, 1, 1), rag: Rating = Rating.AMBER, **kw: object) -> Entry:
    fields: dict[str, object] = {"summary": "Work goes on.", "author": "A secretary", "file": f"status/{dept}.yaml", "line": 7}
    fields.update(kw)
    return Entry(number, dept, day, rag, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, rag",
    [
        ("red", Rating.RED),
        ("R", Rating.RED),
        ("Amber", Rating.AMBER),
        ("a", Rating.AMBER),
        ("GREEN", Rating.GREEN),
        ("g", Rating.GREEN),
        ("complete", Rating.COMPLETE),
        ("C", Rating.COMPLETE),
        ("b", Rating.COMPLETE),
        ("Blue", Rating.COMPLETE),
        (" amber ", Rating.AMBER),
    ],
)
def test_rag_is_read_from_a_word_or_letter_in_any_case(text: str, rag: Rating) -> None:
    assert Rating.parse(text) is rag


@pytest.mark.parametrize("text", ["purple", "", "x", "ambr", "no return"])
def test_anything_else_is_not_a_rag(text: str) -> None:
    assert Rating.parse(text) is None


def test_the_owners_who_may_file_follow_mergers_by_date(data: Dataset) -> None:
    rec9 = data.recommendations[8]
    assert owners_on(rec9, data.registry, date(2022, 1, 1)) == ["DHSC", "HEE"]
    assert owners_on(rec9, data.registry, date(2023, 4, 1)) == ["DHSC", "NHSE"]
    rec31 = data.recommendations[30]
    assert owners_on(rec31, data.registry, date(2024, 1, 1)) == ["DHSC", "DSIT"]


def test_a_department_is_filed_under_its_code_on_the_day(data: Dataset) -> None:
    recs = {r.number: r for r in data.recommendations}
    assert file_under(data, recs[23], "DLUHC", date(2022, 1, 1)) == "MHCLG"
    assert file_under(data, recs[6], "Office for Health Promotion", date(2021, 8, 1)) == "OHID"
    assert file_under(data, recs[9], "HEE", date(2022, 1, 1)) == "HEE"
    assert file_under(data, recs[9], "Health Education England", date(2024, 1, 1)) == "NHSE"
    with pytest.raises(DataError, match="DWP does not own recommendation 9; its owners on 2024-01-01 are DHSC, NHSE"):
        file_under(data, recs[9], "dwp", date(2024, 1, 1))
    with pytest.raises(NotFound, match="unknown department 'Ministry of Magic'; recommendation 9 is owned by DHSC, NHSE"):
        file_under(data, recs[9], "Ministry of Magic", date(2024, 1, 1))


def test_one_reader_for_many_rows_reads_each_as_it_would_be_read_alone(data: Dataset) -> None:
    """An import reads its rows with one EntryReader: what it remembers from one row never decides
    another's department across a merger, nor lets a row through that alone would be refused."""
    read = EntryReader(data, date(2024, 6, 1))
    rows = [
        ("9", "Health Education England", "2022-01-01", "a"),  # HEE's own, before it merged into NHSE
        ("9", "Health Education England", "2022-06-30", "a"),
        ("9", "Health Education England", "2024-01-01", "a"),  # after: NHSE's
        ("9", "HEE", "2022-01-01", "R"),
    ]
    assert [(e.dept, e.date.isoformat(), e.rag, e.file) for e in (read(*row, "Done.", "A", [], "", "") for row in rows)] == [
        ("HEE", "2022-01-01", Rating.AMBER, "status/HEE.yaml"),
        ("HEE", "2022-06-30", Rating.AMBER, "status/HEE.yaml"),
        ("NHSE", "2024-01-01", Rating.AMBER, "status/NHSE.yaml"),
        ("HEE", "2022-01-01", Rating.RED, "status/HEE.yaml"),
    ]
    with pytest.raises(FieldError, match="DWP does not own recommendation 9") as refused:
        read("9", "DWP", "2024-01-01", "a", "Done.", "A", [], "", "")
    assert refused.value.field == "dept"
    with pytest.raises(FieldError, match="'purple' is not a RAG rating") as refused:
        read("9", "HEE", "2022-01-01", "purple", "Done.", "A", [], "", "")
    assert refused.value.field == "rag"
    with pytest.raises(FieldError, match="there is no recommendation 99") as refused:
        read("99", "HEE", "2022-01-01", "a", "Done.", "A", [], "", "")
    assert refused.value.field == "recommendation"
    assert read("9", "HEE", "2022-01-01", "a", "Done.", "A", [], "", "").dept == "HEE"  # refused rows leave nothing behind


def test_a_valid_return_has_no_problems(data: Dataset) -> None:
    assert check_return(ret(), data, date(2024, 1, 1)) == []


@pytest.mark.parametrize(
    "update, message",
    [
        (ret(number=33), "there is no recommendation 33"),
        (ret(dept="DWP"), "DWP does not own recommendation 9 (owners on 2024-01-01: DHSC, NHSE)"),
        (ret(dept="HEE"), "HEE does not own recommendation 9 (owners on 2024-01-01: DHSC, NHSE)"),
        (ret(dept="XYZ"), "'XYZ' is not in the department registry"),
        (ret(day=date(2024, 1, 2)), "2024-01-02 is in the future"),
        (ret(target_date=date(2025, 1, 1)), "a revised target date needs a reason"),
        (ret(reason="Slipped"), "a reason is given but no revised target date"),
    ],
)
def test_each_rule_for_a_return(data: Dataset, update: Entry, message: str) -> None:
    assert [p.message for p in check_return(update, data, date(2024, 1, 1))] == [message]


def test_a_file_holds_one_departments_returns_once_each(data: Dataset) -> None:
    first, again, stray = ret(line=7), ret(line=15), ret(number=20, dept="DWP", file="status/DHSC.yaml", line=23)
    problems = check_status_file([first, again, stray], "DHSC", data)
    assert [(p.line, p.message) for p in problems] == [
        (15, "the same return is recorded twice (first on line 7)"),
        (23, "a return from DWP is in DHSC's file; move it to status/DWP.yaml"),
    ]
    assert [p.message for p in check_status_file([], "NOPE", data)] == [
        "NOPE is not a department code in the registry; name the file after one"
    ]


def test_history_is_newest_first_with_the_change_from_the_return_before() -> None:
    a = ret(day=date(2023, 1, 1), rag=Rating.RED)
    b = ret(day=date(2024, 1, 1), rag=Rating.AMBER)
    c = ret(day=date(2024, 1, 1), rag=Rating.GREEN, summary="Later the same day.")
    d = ret(day=date(2025, 1, 1), rag=Rating.GREEN)
    entries = history([b, c, a, d])  # file order: b before c on the same day
    assert [(e.ret.rag, e.previous, e.trend) for e in entries] == [
        (Rating.GREEN, Rating.GREEN, "same"),
        (Rating.GREEN, Rating.AMBER, "better"),
        (Rating.AMBER, Rating.RED, "better"),
        (Rating.RED, None, None),
    ]
    assert trend(Rating.COMPLETE, Rating.AMBER) == "worse"


def test_returns_filed_before_a_merger_count_for_the_successor(data: Dataset) -> None:
    rec9 = data.recommendations[8]
    old = ret(dept="HEE", day=date(2022, 6, 1), rag=Rating.RED)
    new = ret(dept="NHSE", day=date(2024, 6, 1), rag=Rating.GREEN)
    groups = dict(history_by_owner(rec9, data, [old, new], date(2026, 1, 1)))
    assert list(groups) == ["DHSC", "NHSE"]
    assert groups["DHSC"] == []
    assert [(e.ret.dept, e.trend) for e in groups["NHSE"]] == [("NHSE", "better"), ("HEE", None)]
    assert rec9.owners[1] == Owner("HEE", "support", "text", rec9.owners[1].note, rec9.owners[1].line)


def test_of_two_returns_on_one_date_the_one_later_in_its_file_is_the_latest() -> None:
    early, late = ret(line=30, summary="Later in the file."), ret(line=12, summary="Earlier in the file.")
    assert [r.summary for r in newest_first([early, late])] == ["Later in the file.", "Earlier in the file."]
    newer = ret(day=date(2024, 1, 2), line=1)
    assert newest_first([early, newer, late])[0] is newer


def test_a_rating_knows_its_word_letter_colour_and_order() -> None:
    assert [r.word for r in Rating] == ["RED", "AMBER", "GREEN", "COMPLETE", "NO RETURN"]
    assert [r.label for r in Rating] == ["Red", "Amber", "Green", "Complete", "No return"]
    assert [r.letter for r in Rating] == ["R", "A", "G", "C", "N"]
    assert Rating.RED.colour == "red" and Rating.NO_RETURN.colour == "magenta"
    worst_first = sorted(Rating, key=lambda r: r.severity)
    assert worst_first == [Rating.RED, Rating.NO_RETURN, Rating.AMBER, Rating.GREEN, Rating.COMPLETE]
    assert Rating.parse("no return") is None, "a department cannot return no return"
    assert Rating.parse_filter("No-Return") is Rating.NO_RETURN and Rating.parse_filter("g") is Rating.GREEN
