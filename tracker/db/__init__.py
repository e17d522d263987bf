"""The only code that speaks SQL: tracker.db's schema and the queries on it, in three rooms.

- schema.py: connecting, transactions, the schema and its metadata, the files as loaded;
- write.py: what changes the database (loading, recording, corrections, the standing tables);
- read.py: the queries, the latest entries on any dates among them;
- outcomes.py: the outcomes framework, its measures and their values.

The database is derived from the YAML and never edited by hand, so its schema is not migrated:
a database built with another SCHEMA_VERSION (or by other rules, see sync.py) is rebuilt.
sqlite-utils (imported only when something is written) creates the tables and loads them.
Callers use `db.NAME` whichever room it lives in.
"""

from .outcomes import *  # noqa: F403
from .outcomes import __all__ as _outcomes
from .read import *  # noqa: F403
from .read import __all__ as _read
from .schema import *  # noqa: F403
from .schema import __all__ as _schema
from .write import *  # noqa: F403
from .write import __all__ as _write

__all__ = [*_schema, *_write, *_read, *_outcomes]
