"""Reading the outcomes framework (outcomes.yaml) and its measures' values (outcome_values.yaml), and
writing a value as the block appended to the second; as strictly as every other file."""

from __future__ import annotations

import re

from yaml.nodes import Node

from tracker.domain.outcomes import (
    CODE,
    DIRECTIONS,
    KINDS,
    OUTCOME_VALUES,
    OUTCOMES,
    UNITS,
    Baseline,
    Framework,
    Measure,
    Outcome,
    Target,
    Value,
    check_framework,
    check_values,
    number_text,
    parse_number,
    parse_period,
)
from tracker.domain.problem import Problem
from tracker.domain.values import excerpt
from tracker.errors import DataError

from .blocks import _scalar
from .strict import Reader, compose_list

VALUES_HEADER = """\
# Published values of the measures of the outcomes framework (outcomes.yaml): one block per value,
# oldest recorded first; never edited or removed (a measure has one value a period). Record one with
# `tracker outcome add MEASURE --value V --period P --source URL`, import many with
# `tracker outcome import FILE.csv`, or add a block by hand in the same form; `tracker check` validates this file.
"""

_FILE = {"framework": True, "outcomes": True}
_FRAMEWORK = {"title": True, "date": False, "link": True}
_OUTCOME = {"code": True, "name": True, "kind": True, "measures": True}
_MEASURE = {"code": True, "name": True, "unit": True, "direction": True, "baseline": False, "target": False, "note": False}
_BASELINE = {"value": True, "period": True, "source": True, "note": False}
_TARGET = {"words": True, "by": True, "source": True, "value": False}
_VALUE = {"measure": True, "period": True, "value": True, "source": True, "note": False, "recorded": True}


def _code(r: Reader, node: Node | None, what: str) -> str | None:
    value = r.scalar(node, what)
    if value is None or node is None:
        return None
    if not re.fullmatch(CODE, value.strip()):
        r.problem(node, what, f"{excerpt(value)} is not a code: lower-case letters and digits, words joined by -")
        return None
    return value.strip()


def _number(r: Reader, node: Node | None, what: str) -> float | None:
    value = r.scalar(node, what)
    if value is None or node is None:
        return None
    try:
        return parse_number(value)
    except ValueError as e:
        r.problem(node, what, str(e))
        return None


def _period(r: Reader, node: Node | None, what: str) -> str | None:
    return r.period(node, what, parse_period)


def read_framework(raw: bytes, shown: str = OUTCOMES) -> tuple[Framework | None, list[Problem]]:
    """outcomes.yaml: the framework and the problems found reading it. DataError if unreadable."""
    r = Reader(shown)
    root = compose_list(raw, shown)
    if root is None:
        raise DataError("the file is empty; it holds `framework:` and `outcomes:`", shown)
    f = r.mapping(root, "the file", _FILE)
    head = r.mapping(f["framework"], "framework", _FRAMEWORK) if "framework" in f else {}
    title, link = r.text(head, "title"), r.url(head.get("link"), "link")
    day = r.date(head.get("date"), "date") if "date" in head else None
    outcomes = tuple(o for n in r.sequence(f.get("outcomes"), "outcomes") if (o := _outcome(r, n)) is not None)
    if title is None or link is None:
        return None, r.problems
    framework = Framework(title, day, link, outcomes)
    return framework, r.problems + check_framework(framework, shown)


def _outcome(r: Reader, node: Node) -> Outcome | None:
    f = r.mapping(node, "an outcome", _OUTCOME)
    code, name = _code(r, f.get("code"), "code"), r.text(f, "name")
    kind = r.choice(f.get("kind"), "kind", KINDS)
    if code is None:
        measures: tuple[Measure, ...] = ()
        r.sequence(f.get("measures"), "measures")
    else:
        measures = tuple(m for n in r.sequence(f.get("measures"), "measures") if (m := _measure(r, n, code)) is not None)
    if code is None or name is None or kind is None:
        return None
    return Outcome(code, name, kind, measures, r.line(node))


def _measure(r: Reader, node: Node, outcome: str) -> Measure | None:
    f = r.mapping(node, "a measure", _MEASURE)
    code, name = _code(r, f.get("code"), "code"), r.text(f, "name")
    unit = r.choice(f.get("unit"), "unit", UNITS)
    direction = r.choice(f.get("direction"), "direction", DIRECTIONS)
    baseline = target = None
    if "baseline" in f and not r.is_null(f["baseline"]):
        b = r.mapping(f["baseline"], "baseline", _BASELINE)
        value, period = _number(r, b.get("value"), "baseline.value"), _period(r, b.get("period"), "baseline.period")
        url = r.url(b.get("source"), "baseline.source")
        if value is not None and period is not None and url is not None:
            baseline = Baseline(value, period, url, r.text(b, "note"))
    if "target" in f and not r.is_null(f["target"]):
        t = r.mapping(f["target"], "target", _TARGET)
        words, by = r.text(t, "words"), _period(r, t.get("by"), "target.by")
        source = r.url(t.get("source"), "target.source")
        value = _number(r, t.get("value"), "target.value") if "value" in t else None
        if words is not None and by is not None and source is not None and ("value" not in t or value is not None):
            target = Target(words, by, source, value)
    if code is None or name is None or unit is None or direction is None:
        return None
    return Measure(code, name, outcome, unit, direction, baseline, target, r.text(f, "note"), r.line(node))


def read_values(raw: bytes, shown: str = OUTCOME_VALUES) -> tuple[list[Value], list[Problem]]:
    """outcome_values.yaml: its values and the problems found reading them. DataError if unreadable."""
    r = Reader(shown)
    values = []
    for node in r.sequence(compose_list(raw, shown), "the file"):
        f = r.mapping(node, "a value", _VALUE)
        measure = r.text(f, "measure")
        period, value = _period(r, f.get("period"), "period"), _number(r, f.get("value"), "value")
        source, recorded = r.url(f.get("source"), "source"), r.date(f.get("recorded"), "recorded")
        if measure is None or period is None or value is None or source is None or recorded is None:
            continue
        values.append(Value(measure, period, value, source, recorded, r.text(f, "note"), shown, r.line(node)))
    return values, r.problems


def load_outcomes(framework_raw: bytes | None, values_raw: bytes | None) -> tuple[Framework | None, list[Value], list[Problem]]:
    """Both files (None: not in the workspace) read and checked together: the framework, the values
    and every rule they break. DataError if one is unreadable."""
    framework, problems = read_framework(framework_raw) if framework_raw is not None else (None, [])
    values: list[Value] = []
    if values_raw is not None:
        values, more = read_values(values_raw)
        problems += more + check_values(values, framework)
    return framework, values, problems


def value_block(v: Value) -> str:
    """One value as a block of outcome_values.yaml, read back exactly by any YAML reader."""
    text = f'- measure: {v.measure}\n  period: "{v.period}"\n  value: {number_text(v.value)}\n  source: {_scalar(v.source)}\n'
    if v.note:
        text += f"  note: {_scalar(v.note)}\n"
    return text + f"  recorded: {v.recorded.isoformat()}\n"
