"""Reading and writing the secretariat's own record: actions.yaml (the actions log: actions and
the updates that follow them) and meetings.yaml (the words for each meeting's paper)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from yaml.nodes import MappingNode, Node, ScalarNode

from tracker.domain.board import KINDS, RISK_RATINGS, STATUSES, Action, ActionUpdate, MeetingNotes, Risk, action_id
from tracker.domain.problem import Problem
from tracker.domain.rating import Rating
from tracker.domain.values import excerpt

from .blocks import _scalar
from .strict import Reader, compose_list

ACTIONS_HEADER = """\
# The board's actions log: each action raised at a meeting, then any updates to it, oldest first.
# Append-only: an action is never edited; a later `- update:` block changes its status (open,
# in-progress, done, dropped), due date or owner, with a note. Record them with
# `tracker action add`, `tracker action update` and `tracker action close`; `tracker check` validates this file.
"""

_ACTION = {"action": True, "raised": True, "text": True, "owner": True, "due": False, "recommendations": False}
_UPDATE = {"update": True, "date": True, "status": False, "note": False, "due": False, "owner": False}
_MEETING = {"meeting": True, "cover": False, "asks": False, "risks": False}
_RISK = {"kind": True, "text": True, "owner": False, "rating": False, "mitigation": False}


def _ref(r: Reader, node: Node | None, what: str) -> str | None:
    value = r.scalar(node, what)
    if value is None or node is None:
        return None
    ref = action_id(value)
    if ref is None:
        r.problem(node, what, f"{excerpt(value)} is not an action's reference (A1, A2, ...)")
    return ref


def read_actions(
    raw: bytes, shown: str, refs: Callable[[str], int | None] | None = None
) -> tuple[list[Action], list[ActionUpdate], list[Problem]]:
    """The actions log's actions and updates, and the problems found reading it. DataError if
    unreadable. `refs`: the numbers of the items named by ref (`CP-3`), where there are other sources."""
    r = Reader(shown)
    r.refs = refs
    actions: list[Action] = []
    updates: list[ActionUpdate] = []
    for node in r.sequence(compose_list(raw, shown), "the file"):
        keys = {k.value for k, _ in node.value if isinstance(k, ScalarNode)} if isinstance(node, MappingNode) else set()
        if "update" in keys:
            f = r.mapping(node, "an update", _UPDATE)
            ref, day = _ref(r, f.get("update"), "update"), r.date(f.get("date"), "date")
            status = r.choice(f.get("status"), "status", STATUSES) if "status" in f else None
            due = r.date(f.get("due"), "due") if "due" in f else None
            unreadable = ("status" in f and status is None) or ("due" in f and due is None)  # said already
            if ref is not None and day is not None and not unreadable:
                updates.append(ActionUpdate(ref, day, status, r.text(f, "note"), due, r.text(f, "owner"), r.line(node)))
            continue
        f = r.mapping(node, "an action", _ACTION)
        ref, raised = _ref(r, f.get("action"), "action"), r.date(f.get("raised"), "raised")
        text, owner = r.text(f, "text"), r.text(f, "owner")
        due = r.date(f.get("due"), "due") if "due" in f else None
        numbers = tuple(r.each(f.get("recommendations"), "recommendations", lambda n: r.item(n, "recommendations")))
        r.recommendation = None
        if ref is not None and raised is not None and text is not None and owner is not None:
            actions.append(Action(ref, raised, text, owner, due, numbers, r.line(node)))
    return actions, updates, r.problems


def _paragraphs(text: str | None) -> tuple[str, ...]:
    """A text's paragraphs (parted by blank lines), each on one line."""
    return tuple(" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text or "") if p.strip())


def read_meetings(raw: bytes, shown: str) -> tuple[list[MeetingNotes], list[Problem]]:
    """Each meeting's words, and the problems found reading them. DataError if unreadable."""
    r = Reader(shown)
    out: list[MeetingNotes] = []
    for node in r.sequence(compose_list(raw, shown), "the file"):
        f = r.mapping(node, "a meeting's words", _MEETING)
        meeting = r.date(f.get("meeting"), "meeting")
        cover = _paragraphs(r.scalar(f.get("cover"), "cover"))
        asks = tuple(" ".join(a.split()) for a in r.each(f.get("asks"), "asks", lambda n: _ask(r, n)))
        risks = tuple(r.each(f.get("risks"), "risks", lambda n: _risk(r, n)))
        if meeting is not None:
            out.append(MeetingNotes(meeting, cover, asks, risks, r.line(node)))
    return out, r.problems


def _ask(r: Reader, node: Node) -> str | None:
    value = r.scalar(node, "asks")
    if value is None:
        r.problem(node, "asks", "an empty item; give each decision the board is asked to take, or leave it out")
    return value


def _risk(r: Reader, node: Node) -> Risk | None:
    f = r.mapping(node, "a risk or issue", _RISK)
    kind, text = r.choice(f.get("kind"), "kind", KINDS), r.text(f, "text")
    rating = None
    if (given := r.scalar(f.get("rating"), "rating")) is not None:
        rating = Rating.parse(given)
        if rating not in RISK_RATINGS:
            r.problem(f["rating"], "rating", f"{excerpt(given)} is not one of: red, amber, green")
            rating = None
    if kind is None or text is None:
        return None
    return Risk(kind, " ".join(text.split()), r.text(f, "owner"), rating, r.text(f, "mitigation"))


def action_block(a: Action, refs: Mapping[int, str] | None = None) -> str:
    lines = [
        f"- action: {a.ref}",
        f"  raised: {a.raised.isoformat()}",
        f"  text: {_scalar(a.text)}",
        f"  owner: {_scalar(a.owner)}",
    ]
    if a.due is not None:
        lines.append(f"  due: {a.due.isoformat()}")
    if a.recommendations:
        lines.append(f"  recommendations: [{', '.join((refs or {}).get(n) or str(n) for n in a.recommendations)}]")
    return "\n".join(lines) + "\n"


def update_block(u: ActionUpdate) -> str:
    lines = [f"- update: {u.ref}", f"  date: {u.date.isoformat()}"]
    if u.status is not None:
        lines.append(f"  status: {u.status}")
    if u.due is not None:
        lines.append(f"  due: {u.due.isoformat()}")
    if u.owner is not None:
        lines.append(f"  owner: {_scalar(u.owner)}")
    if u.note is not None:
        lines.append(f"  note: {_scalar(u.note)}")
    return "\n".join(lines) + "\n"
