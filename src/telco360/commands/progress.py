"""Rich progress for long local work: a spinner naming the stage and state being run, and
one line per finished stage. Written to stderr, so `--json` output on stdout stays clean."""
from __future__ import annotations

import contextlib
import logging
import sys
from typing import Iterator

from rich.console import Console

from telco360.commands.console import summary_console
from telco360.runner.day_run import Reporter


class RichReporter(Reporter):
    def __init__(self, console: Console | None = None, prefix: str = ""):
        # Into a log (not a terminal) a stage's line is printed whole, not wrapped at 80 columns.
        self.console = console or summary_console(sys.stderr)
        self.prefix = prefix
        self._status = None
        self._title = ""

    def stage_started(self, stage: str, title: str) -> None:
        self._title = title
        if self._status is None:
            self._status = self.console.status(f"{self.prefix}{title}")
            self._status.start()
        else:
            self._status.update(f"{self.prefix}{title}")

    def stage_detail(self, stage: str, detail: str) -> None:
        if self._status is not None:
            self._status.update(f"{self.prefix}{self._title}: {detail}")

    def stage_finished(self, stage: str, result: dict) -> None:
        self.console.print(f"{self.prefix}[green]done[/] {self._title} [dim]({result['seconds']:.1f} s)[/]")

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


def hidden_log_level(quiet: bool, as_json: bool) -> int | None:
    """Up to which level the stages' JSON-line logs are hidden while a command runs: INFO
    lines would bury the progress and summary a person reads; `--quiet` shows errors only;
    `--json` hides nothing."""
    if as_json:
        return None
    return logging.WARNING if quiet else logging.INFO


def demo_hidden_log_level(as_json: bool) -> int | None:
    """As `hidden_log_level`, and the demo's WARNING lines too: its defects are injected on
    purpose (a rejected file or quarantined record is what it shows), and its summary lists
    every one with its reason."""
    return None if as_json else logging.WARNING


@contextlib.contextmanager
def logs_hidden(level: int | None) -> Iterator[None]:
    """Hide log records up to `level` (None: nothing), and restore logging afterwards: the
    commands also run in-process (tests, the demo), where logging is shared."""
    previous = logging.root.manager.disable
    if level is not None:
        logging.disable(level)
    try:
        yield
    finally:
        logging.disable(previous)
