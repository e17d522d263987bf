"""JSON documents: the machine contract of every `--format json`. Pure, no printing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from tracker.domain.board import ActionState
from tracker.domain.departments import Department, succession
from tracker.domain.problem import Problem
from tracker.domain.recommendations import Dataset, Recommendation
from tracker.domain.returns import Entry, HistoryEntry, OwnerHistory
from tracker.domain.standing import RollUp, Standing, summary
from tracker.domain.values import iso, plain


def to_json(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def owner_dicts(data: Dataset, rec: Recommendation, today: date) -> list[dict[str, Any]]:
    out = []
    for owner in rec.owners:
        s = succession(data.registry, owner.dept, data.review.published, today)
        out.append(
            {
                "dept": s.current.code,
                "name": s.current.name,
                "named_as": owner.dept,
                "name_when_made": s.name_then,
                "changes": list(s.changes),
                "role": owner.role,
                "basis": owner.basis,
                "reports_via": data.registry.current(owner.reports_via, today).code if owner.reports_via else None,
                "note": owner.note,
            }
        )
    return out


def recommendation_dict(
    data: Dataset, rec: Recommendation, today: date, histories: Sequence[OwnerHistory] | None = None
) -> dict[str, Any]:
    """A recommendation for JSON; with `histories`, its full record and each owner's returns (all,
    or the newest), with how many it has made in all."""
    d: dict[str, Any] = {
        "number": rec.number,
        "ref": rec.shown,
        "source": rec.source,
        "section": rec.section,
        "section_title": rec.section_title,
        "title": rec.title,
        "deadline": iso(rec.deadline.date) if rec.deadline else None,
        "deadline_words": rec.deadline.words if rec.deadline else None,
        "deadline_kind": rec.deadline.kind if rec.deadline else None,
        "owners": owner_dicts(data, rec, today),
        "delivers": [item.shown for n in rec.delivers if (item := data.find(n)) is not None],
        "outcomes": list(rec.outcomes),
    }
    if histories is not None:
        by_code = {h.code: h for h in histories}
        for owner in d["owners"]:
            history = by_code.get(owner["dept"])
            owner["returns"] = [return_dict(entry) for entry in history.entries] if history else []
            owner["returns_count"] = history.made if history else 0
        d["text"] = rec.text
        d["addressed_to"] = rec.addressed_to
        d["deadline_reasoning"] = rec.deadline.reasoning if rec.deadline else None
        d["links"] = list(rec.links)
        d["responses"] = [plain(p) for p in rec.responses]
    return d


def return_dict(entry: HistoryEntry) -> dict[str, Any]:
    r = entry.ret
    return {
        "date": r.date.isoformat(),
        "rag": r.rag.value,
        "previous_rag": entry.previous.value if entry.previous else None,
        "trend": entry.trend,
        "summary": r.summary,
        "author": r.author,
        "evidence": list(r.evidence),
        "target_date": iso(r.target_date),
        "reason": r.reason,
        "filed_as": r.dept,
        "file": r.file,
        "line": r.line,
    }


def department_dict(data: Dataset, dept: Department, today: date) -> dict[str, Any]:
    return {
        "code": dept.code,
        "name": dept.name,
        "part_of": dept.part_of,
        "aliases": list(dept.aliases),
        "history": [
            {"date": e.date.isoformat(), "event": e.event, "from": e.from_name, "to": e.to_name, "into": e.into, "note": e.note}
            for e in dept.history
        ],
        "current": data.registry.current(dept.code, today).code,
        **data.made_to(dept.code),
        "owns_today": {
            role: [{"number": n, "from": was} for n, was in items] for role, items in data.owned_on(dept.code, today).items()
        },
    }


def report_document(as_of: date, standings: Sequence[Standing]) -> dict[str, Any]:
    """The machine contract of `tracker report --format json` (see the README)."""
    return {
        "as_of": as_of.isoformat(),
        "summary": {rating.value: n for rating, n in summary(standings).items()},
        "recommendations": [
            {"number": s.rec.number, "ref": s.rec.shown, "source": s.rec.source, "title": s.rec.title, "section": s.rec.section}
            | standing_dict(s)
            for s in standings
        ],
    }


def standing_dict(s: Standing) -> dict[str, Any]:
    """Where a recommendation stands: its headline, the departments' and the board's ratings, each owner."""
    return {
        "rag": s.rag.value,
        "departments_rag": s.departments_rag.value,
        "awaiting": list(s.awaiting),
        "assessment": assessment_dict(s.assessment),
        "deadline": iso(s.deadline),
        "target_date": iso(s.target_date),
        "overdue": s.overdue,
        "owners": [
            {
                "dept": o.dept,
                "named_as": o.named_as,
                "role": o.role,
                "reports_via": o.via,
                "rag": o.rag.value,
                "last_rag": o.last_rag.value if o.last_rag else None,
                "last_update": iso(o.latest.date if o.latest else None),
                "stale": o.stale,
                "trend": o.trend,
            }
            for o in s.owners
        ],
    }


def assessment_dict(a: Entry | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "rag": a.rag.value,
        "date": a.date.isoformat(),
        "evidence_date": a.evidence_date,
        "summary": a.summary,
        "evidence": list(a.evidence),
    }


def problem_dict(p: Problem, fatal: bool = False) -> dict[str, Any]:
    return {
        "file": p.file,
        "line": p.line,
        "recommendation": p.recommendation,
        "field": p.field,
        "message": p.message,
        "fatal": fatal,
    }


def check_document(findings: Sequence[tuple[Problem, bool]], counts: dict[str, int]) -> dict[str, Any]:
    """The machine contract of `tracker check --format json`."""
    return {"ok": not findings, **counts, "problems": [problem_dict(p, fatal) for p, fatal in findings]}


def action_dict(s: ActionState, day: date, data: Dataset | None = None) -> dict[str, Any]:
    a = s.action
    return {
        "ref": a.ref,
        "raised": a.raised.isoformat(),
        "text": a.text,
        "owner": s.owner,
        "due": iso(s.due),
        "status": s.status,
        "overdue": s.overdue(day),
        "note": s.note,
        "changed": s.changed.isoformat(),
        "recommendations": [data.ref_of(n) if data is not None and data.several else n for n in a.recommendations],
        "line": a.line,
    }


def roll_up_document(as_of: date, rows: Sequence[RollUp]) -> dict[str, Any]:
    """`tracker report --roll-up --format json`: each delivered recommendation and the items under it."""
    return {
        "as_of": as_of.isoformat(),
        "recommendations": [
            {
                "number": r.rec.number,
                "ref": r.rec.shown,
                "source": r.rec.source,
                "title": r.rec.title,
                "rolled_up_rag": r.rag.value,
                "awaiting": [s.rec.shown for s in r.awaiting],
                "items": [
                    {"ref": s.rec.shown, "source": s.rec.source, "title": s.rec.title, "rag": s.rag.value} for s in r.items
                ],
            }
            for r in rows
        ],
    }
