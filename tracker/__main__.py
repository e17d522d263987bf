"""The `tracker` command and `python -m tracker`."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def main() -> None:
    # Ctrl-C while Python is still loading the command is an interruption like any other: one
    # line and exit 130, not a traceback from whichever import it landed in. Nothing is written yet.
    previous = signal.signal(signal.SIGINT, _interrupted_while_starting)
    from tracker.cli import main as run

    signal.signal(signal.SIGINT, previous)
    run()


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    sys.stderr.write("tracker: error: interrupted\n")
    os._exit(130)


if __name__ == "__main__":
    main()
