"""The pure rules: registry look-ups, successions, validation, filters. No files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tracker.domain.departments import Department, HistoryEvent, Registry, succession
from tracker.domain.recommendations import (
    Dataset,
    Owner,
    Recommendation,
    Response,
    Review,
    owned_by,
    section_matches,
    validate,
)

MHCLG = Department(
    "MHCLG",
    "Ministry of Housing, Communities and Local Government",
    aliases=("DLUHC",),
    history=(
        HistoryEvent(
            date(2021, 9, 19),
            "renamed",
            from_name="Ministry of Housing, Communities and Local Government",
            to_name="Department for Levelling Up, Housing and Communities",
        ),
        HistoryEvent(
            date(2024, 7, 8),
            "renamed",
            from_name="Department for Levelling Up, Housing and Communities",
            to_name="Ministry of Housing, Communities and Local Government",
        ),
    ),
)
NHSE = Department("NHSE", "NHS England")
HEE = Department("HEE", "Health Education England", history=(HistoryEvent(date(2023, 4, 1), "merged", into="NHSE"),))
OHID = Department(
    "OHID",
    "Office for Health Improvement and Disparities",
    part_of="DHSC",
    aliases=("OHP", "Office for Health Promotion"),
    history=(
        HistoryEvent(
            date(2021, 10, 1),
            "renamed",
            from_name="Office for Health Promotion",
            to_name="Office for Health Improvement and Disparities",
        ),
    ),
)
DHSC = Department("DHSC", "Department of Health and Social Care")
BEIS = Department(
    "BEIS",
    "Department for Business, Energy and Industrial Strategy",
    history=(HistoryEvent(date(2023, 2, 7), "split", into="DSIT"),),
)
DSIT = Department("DSIT", "Department for Science, Innovation and Technology")
REGISTRY = Registry({d.code: d for d in (MHCLG, NHSE, HEE, OHID, DHSC, BEIS, DSIT)})
REVIEW = Review("A review", "A reviewer", date(2021, 7, 8), "https://example.org")
RESPONSE = Response(date(2021, 12, 6), "The plan", "accepted", "board", "Done.", "https://example.org/plan")


def rec(number: int, *owners: Owner, links: tuple[int, ...] = ()) -> Recommendation:
    return Recommendation(
        number, "3.1", "Workforce", f"Title {number}", "We recommend.", owners, None, links, (RESPONSE,), line=number * 10
    )


def dataset(*recs: Recommendation, registry: Registry = REGISTRY) -> Dataset:
    return Dataset(REVIEW, 90, registry, recs)


def test_resolve_finds_codes_aliases_and_former_names_ignoring_case() -> None:
    assert REGISTRY.resolve("dluhc") is MHCLG
    assert REGISTRY.resolve("Department for Levelling Up, Housing and Communities") is MHCLG
    assert REGISTRY.resolve("office for  health promotion") is OHID
    assert REGISTRY.resolve("OHP") is OHID
    assert REGISTRY.resolve("nhse") is NHSE
    assert REGISTRY.resolve("Ministry of Magic") is None


def test_name_on_follows_renames_both_ways() -> None:
    assert MHCLG.name_on(date(2021, 7, 8)) == "Ministry of Housing, Communities and Local Government"
    assert MHCLG.name_on(date(2021, 9, 19)) == "Department for Levelling Up, Housing and Communities"
    assert MHCLG.name_on(date(2024, 7, 7)) == "Department for Levelling Up, Housing and Communities"
    assert MHCLG.name_on(date(2024, 7, 8)) == "Ministry of Housing, Communities and Local Government"
    assert OHID.name_on(date(2021, 7, 8)) == "Office for Health Promotion"


def test_current_follows_mergers_and_splits_only_once_they_happened() -> None:
    assert REGISTRY.current("HEE", date(2023, 3, 31)).code == "HEE"
    assert REGISTRY.current("HEE", date(2023, 4, 1)).code == "NHSE"
    assert REGISTRY.current("BEIS", date(2026, 1, 1)).code == "DSIT"
    assert REGISTRY.current("MHCLG", date(2022, 1, 1)).code == "MHCLG"


def test_a_chain_follows_a_body_through_mergers_and_stops_at_a_loop() -> None:
    assert [d.code for d in REGISTRY.chain("HEE", date(2024, 1, 1))] == ["HEE", "NHSE"]
    assert [d.code for d in REGISTRY.chain("HEE", date(2022, 1, 1))] == ["HEE"]
    assert REGISTRY.chain("NOPE", date(2024, 1, 1)) == ()
    a = Department("A", "A", history=(HistoryEvent(date(2022, 1, 1), "merged", into="B"),))
    b = Department("B", "B", history=(HistoryEvent(date(2022, 1, 1), "merged", into="A"),))
    looped = Registry({"A": a, "B": b})
    assert [d.code for d in looped.chain("A", date(2023, 1, 1))] == ["A", "B"]


def test_succession_tells_what_became_of_the_body_named() -> None:
    s = succession(REGISTRY, "HEE", date(2021, 7, 8), date(2026, 1, 1))
    assert (s.named_as, s.name_then, s.current.code) == ("HEE", "Health Education England", "NHSE")
    assert s.changes == ("2023-04-01: Health Education England merged into NHS England",)
    s = succession(REGISTRY, "MHCLG", date(2021, 7, 8), date(2026, 1, 1))
    assert s.current.code == "MHCLG"
    assert [c[:10] for c in s.changes] == ["2021-09-19", "2024-07-08"]
    s = succession(REGISTRY, "MHCLG", date(2021, 7, 8), date(2022, 1, 1))
    assert s.changes == ("2021-09-19: renamed Department for Levelling Up, Housing and Communities",)
    s = succession(REGISTRY, "BEIS", date(2021, 7, 8), date(2026, 1, 1))
    assert s.current.code == "DSIT" and "this work passed to Department for Science" in s.changes[0]


def test_owned_by_counts_the_body_that_carries_a_former_owners_work() -> None:
    r = rec(9, Owner("DHSC", "lead"), Owner("HEE", "support"))
    assert owned_by(r, REGISTRY, NHSE, date(2024, 1, 1))
    assert not owned_by(r, REGISTRY, NHSE, date(2022, 1, 1))
    assert owned_by(r, REGISTRY, HEE, date(2024, 1, 1))
    assert not owned_by(r, REGISTRY, MHCLG, date(2024, 1, 1))


def test_section_filter_matches_whole_sections_not_prefixes() -> None:
    r = replace(rec(1), section="3.10")
    assert section_matches(r, "3")
    assert section_matches(r, "3.10")
    assert not section_matches(r, "3.1")
    assert section_matches(replace(rec(1), section="5"), "5")


def test_valid_data_has_no_problems() -> None:
    assert (
        validate(dataset(rec(1, Owner("DHSC", "lead")), rec(2, Owner("MHCLG", "lead"), Owner("DHSC", "support"), links=(1,))))
        == []
    )


def messages(data: Dataset) -> list[str]:
    return [p.detail() for p in validate(data)]


def test_a_recommendation_without_owners_is_a_problem() -> None:
    assert messages(dataset(rec(1))) == ["recommendation 1: owners: has no owner"]


def test_a_recommendation_without_a_lead_is_a_problem() -> None:
    assert messages(dataset(rec(1, Owner("DHSC", "support")))) == ["recommendation 1: owners: has no lead owner (role: lead)"]


def test_an_owner_outside_the_registry_is_a_problem_with_a_hint() -> None:
    assert messages(dataset(rec(1, Owner("DLUHC", "lead")))) == [
        "recommendation 1: owners: 'DLUHC' is not in the department registry; did you mean MHCLG?"
    ]


def test_duplicate_numbers_are_reported_at_each_place() -> None:
    problems = validate(dataset(rec(4, Owner("DHSC", "lead")), replace(rec(4, Owner("DHSC", "lead")), line=99)))
    assert [(p.line, p.message) for p in problems] == [
        (40, "number 4 is used by 2 recommendations"),
        (99, "number 4 is used by 2 recommendations"),
    ]


def test_an_owner_listed_twice_is_a_problem() -> None:
    assert messages(dataset(rec(1, Owner("DHSC", "lead"), Owner("DHSC", "support")))) == [
        "recommendation 1: owners: DHSC is listed as an owner twice"
    ]


def test_links_must_point_at_other_existing_recommendations() -> None:
    assert messages(dataset(rec(1, Owner("DHSC", "lead"), links=(1, 5)))) == [
        "recommendation 1: links: links to itself (1)",
        "recommendation 1: links: links to recommendation 5, which does not exist",
    ]


def test_registry_names_must_be_unambiguous() -> None:
    clash = Registry({**REGISTRY.departments, "X": Department("X", "Another body", aliases=("dluhc",))})
    assert messages(dataset(rec(1, Owner("DHSC", "lead")), registry=clash)) == [
        "department X: 'dluhc' also names department MHCLG"
    ]


def test_registry_references_and_history_must_hold_together() -> None:
    broken = Department(
        "Y",
        "Body",
        part_of="NOPE",
        history=(HistoryEvent(date(2023, 1, 1), "merged"), HistoryEvent(date(2022, 1, 1), "split", into="GONE")),
    )
    found = messages(dataset(rec(1, Owner("DHSC", "lead")), registry=Registry({**REGISTRY.departments, "Y": broken})))
    assert found == [
        "department Y: part_of 'NOPE' is not in the department registry",
        "department Y: history is not in date order",
        "department Y: history: a merged event needs `into`",
        "department Y: history: into 'GONE' is not in the department registry",
    ]
