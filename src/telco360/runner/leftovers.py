"""What a run killed mid-write leaves behind (`lake.DEAD_RUN_LEFTOVERS`): removed by the next
`c360 run`, which holds the lake's lock, so no live writer can own them."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from telco360 import lake as lake_layout
from telco360.logs import get_logger, log_event

logger = get_logger("telco360.runner.leftovers")


def remove_dead_run_leftovers(lake: Path) -> list[str]:
    """Delete every file or folder matching a leftover pattern; returns their lake keys. One
    that cannot be deleted is logged and kept: no reader of the lake takes a leftover for data,
    so it never stops the run."""
    removed = []
    for pattern in lake_layout.DEAD_RUN_LEFTOVERS:
        for path in sorted(lake.glob(pattern)):
            key = path.relative_to(lake).as_posix()
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError as error:
                log_event(logger, f"leftover {key} of an interrupted run could not be removed: {error}; "
                                  "it is harmless, remove it by hand", logging.WARNING, step="cleanup", key=key)
                continue
            removed.append(key)
    if removed:
        log_event(logger, f"removed {len(removed)} leftover(s) of an interrupted run", step="cleanup", removed=removed)
    return removed
