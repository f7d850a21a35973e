"""One `c360 run` per lake at a time: an exclusive, non-blocking `flock` on `<lake>/.c360.lock`.

The kernel releases a flock when its holder exits, even on a crash, so a stale lock file never
blocks the next run; the file only tells a refused run who holds it.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from pathlib import Path
from typing import Iterator

LOCK_FILE = ".c360.lock"


class LakeBusyError(RuntimeError):
    """Another run holds the lake's lock."""


@contextlib.contextmanager
def lake_lock(lake_dir: Path, purpose: str) -> Iterator[None]:
    path = Path(lake_dir) / LOCK_FILE
    # Binary: the file is only a note for a refused run, and whatever bytes it holds (a torn
    # write, garbage) must still give the refusal, never a decoding error.
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read(500).decode("utf-8", "replace").strip() or "another process"
            raise LakeBusyError(
                f"lake {lake_dir} is in use by {holder}; wait for that run to finish, then run again "
                f"(runs on one lake are never interleaved)"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            handle.write(f"{purpose} (pid {os.getpid()}, since {started})\n".encode("utf-8"))
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
