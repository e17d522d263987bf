"""Putting a workspace's sources together: the review (recommendations.yaml) and each other source
(sources/KEY.yaml, a local delivery plan, another review), their bodies, numbers and references."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from .departments import Department, Registry
from .problem import Problem
from .recommendations import SOURCE_BASE, Dataset, Recommendation, Source, validate
from .values import excerpt

SOURCES_DIR = "sources"


class ParsedSource(NamedTuple):
    """A source file as read: its source, the bodies it adds, and its items with the refs they name
    (`delivers` and `links`, each with its line), which are found once every source is read."""

    source: Source
    bodies: tuple[Department, ...]
    items: list[tuple[Recommendation, dict[str, list[tuple[str, int]]]]]


def combine(review: Dataset, parsed: list[ParsedSource]) -> tuple[Dataset, list[Problem]]:
    """The workspace's one dataset: the review's and every source's items, numbered, their bodies in
    one registry, what they deliver and link to found; with the rules broken across files."""
    problems: list[Problem] = []
    departments = dict(review.registry.departments)
    recs = [replace(r, ref=f"R{r.number}") for r in review.recommendations]
    keys = {f"r{r.number}": f"recommendation {r.number} of the review" for r in review.recommendations}
    sources = []
    for k, p in enumerate(parsed, start=1):
        sources.append(p.source)
        shown = p.source.file
        for body in p.bodies:
            first = departments.get(body.code)
            if first is not None:
                where = f"{first.file or review.file}:{first.line}"
                problems.append(Problem(shown, body.line, f"{body.code} is already in the registry ({where})", None, "code"))
                continue
            departments[body.code] = body
        for i, (rec, _) in enumerate(p.items, start=1):
            key = rec.ref.casefold()
            if key in keys:
                message = f"{rec.ref} already names {keys[key]}; give each item a reference of its own"
                problems.append(Problem(shown, rec.line, message, f"{p.source.item} {rec.ref}", "ref"))
                continue
            keys[key] = f"{p.source.item} {rec.ref} of {shown}"
            if i >= SOURCE_BASE:
                problems.append(Problem(shown, rec.line, f"a source holds at most {SOURCE_BASE - 1:,} items", None, "items"))
                break
            recs.append(replace(rec, number=k * SOURCE_BASE + i))
    data = replace(review, registry=Registry(departments), recommendations=tuple(recs), sources=tuple(sources))
    numbered = {(r.source, r.ref): r for r in data.recommendations}
    found: list[Recommendation] = []
    for rec in data.recommendations:
        if rec.source == "review":
            found.append(rec)
            continue
        named = next(n for p in parsed if p.source.key == rec.source for r, n in p.items if r.ref == rec.ref)
        source = data.source_of(rec)
        what = data.label(rec.number)
        numbers: dict[str, list[int]] = {"delivers": [], "links": []}
        for key, refs in named.items():
            for text, line in refs:
                target = data.find_ref(text)
                if target is None:
                    message = f"{excerpt(text)} is no item of any source (R12 or 12 names the review's recommendation 12)"
                    problems.append(Problem(source.file, line, message, what, key))
                elif target.number == rec.number:
                    problems.append(Problem(source.file, line, f"names itself ({text})", what, key))
                elif key == "delivers" and target.source == rec.source:
                    message = f"{text} is in the same {source.kind}; an item delivers another source's recommendations"
                    problems.append(Problem(source.file, line, message, what, key))
                elif target.number in numbers[key]:
                    problems.append(Problem(source.file, line, f"names {target.shown} twice", what, key))
                else:
                    numbers[key].append(target.number)
        found.append(replace(numbered[(rec.source, rec.ref)], delivers=tuple(numbers["delivers"]), links=tuple(numbers["links"])))
    data = replace(data, recommendations=tuple(found))
    return data, problems + _circles(data) + validate(data)


def _circles(data: Dataset) -> list[Problem]:
    """The rule that nothing delivers, through others, what delivers it: a roll-up would rate each
    from the other."""
    problems: list[Problem] = []
    delivers = {r.number: r.delivers for r in data.recommendations if r.delivers}
    reported: set[frozenset[int]] = set()
    for start in delivers:
        path, seen = [start], {start}
        stack = [iter(delivers[start])]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                seen.discard(path.pop())
                continue
            if nxt == start:
                circle = frozenset(path)
                if circle not in reported:
                    reported.add(circle)
                    rec = data.find(start)
                    if rec is not None:
                        names = " delivers ".join(data.ref_of(n) for n in [*path, start])
                        problems.append(
                            Problem(
                                data.source_of(rec).file,
                                rec.line,
                                f"goes round in a circle: {names}",
                                data.label(rec.number),
                                "delivers",
                            )
                        )
                continue
            if nxt in seen or nxt not in delivers:
                continue
            path.append(nxt)
            seen.add(nxt)
            stack.append(iter(delivers[nxt]))
    return problems
