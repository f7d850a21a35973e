"""Consoles and column widths for output a person reads: the demo's summary, `c360 check`'s
table and the progress lines."""
from __future__ import annotations

from typing import IO, Iterable, Optional

from rich.console import Console

# Wide enough for the widest table (usage by plan over ~10 event dates) when nothing limits it.
UNLIMITED_WIDTH = 200


def summary_console(file: Optional[IO[str]] = None) -> Console:
    """The terminal's width on a terminal, else UNLIMITED_WIDTH (rich would assume 80)."""
    console = Console(file=file)
    return console if console.is_terminal else Console(file=file, width=UNLIMITED_WIDTH)


def widest(header: str, cells: Iterable[str]) -> int:
    """The width a column needs so that no cell and no header word is wrapped."""
    return max([len(word) for word in header.split()] + [len(cell) for cell in cells])
