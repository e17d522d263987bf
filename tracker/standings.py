"""Where every recommendation stood on dates, from the database: the latest entries on each date
found in one query (db.latest_on) and the rules applied to them (domain.standing); and the
standing tables tracker.db keeps as of a day, for Datasette.

The sync writes the tables in the same transaction as what it loads: when the YAML changed, or
when the day is not the one they are as of. Otherwise they are not worked out again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING

from . import db
from .domain.recommendations import Dataset

if TYPE_CHECKING:
    from .domain.standing import Standing


def standings(conn: db.Connection, data: Dataset, as_of: date) -> list[Standing]:
    """Where every recommendation stood on `as_of`, ignoring returns dated after it."""
    return standings_over(conn, data, [as_of])[0][1]


def standings_over(conn: db.Connection, data: Dataset, dates: Sequence[date]) -> list[tuple[date, list[Standing]]]:
    """Where every recommendation stood on each of `dates`: the latest entries on every date found
    in one query (db.latest_on), the rules applied to them (domain.standing)."""
    from .domain.standing import filed_under
    from .domain.standing import standings as standings_on

    latest = db.latest_on(conn, dates, filed_under(data, dates))
    return [(day, standings_on(data, day, latest[day])) for day in dates]


def write_standing(
    conn: db.Connection, today: date | None, data: Dataset | None = None, only: Collection[int] | None = None
) -> None:
    """Write the standing tables as of `today` (None: empty them), inside the caller's transaction:
    every recommendation's, or `only` those recommendations' (the ones new entries are on: a
    recommendation's standing rests on its own entries alone), the rest being as of `today` already.
    Only the items the board follows: those of a source kept for reference have no standing to show."""
    if today is None:
        db.replace_standing(conn, None, ())
        return
    if data is None:
        data = db.dataset(conn)
    if only is not None or len(data.followed) != len(data.recommendations):
        from dataclasses import replace

        kept = data.followed if only is None else tuple(r for r in data.followed if r.number in only)
        data = replace(data, recommendations=kept)
    db.replace_standing(conn, today, standings(conn, data, today), only)


def standing_due(conn: db.Connection, today: date | None) -> bool:
    """Whether the standing tables are as of another day than `today` (never, without a day)."""
    return today is not None and db.standing_as_of(conn) != today.isoformat()


def restand(conn: db.Connection, today: date) -> None:
    """Work the standing out again on a new day, the files being unchanged. A database that cannot
    be written to now (a workspace one may only read, a full disk, another program writing for
    more than a moment) is used as it is: its standing says its day, and the command needs none of it.

    No workspace lock: this reads only the database, in a transaction of its own, and whatever
    changes the returns in it (the sync, recording) writes the standing in the same transaction.
    """
    try:
        with db.waiting_at_most(conn, 0.5), db.transaction(conn):
            if standing_due(conn, today):  # another command may have done it meanwhile
                write_standing(conn, today)
    except db.OperationalError:
        pass
