"""Argument helpers every subcommand shares: the lake folder, dates, positive counts."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


def add_lake_argument(parser: argparse.ArgumentParser, help: str = "local lake folder") -> None:
    parser.add_argument("--lake", required=True, type=Path, help=help)


def iso_date(text: str) -> str:
    """An argparse type: a YYYY-MM-DD date, returned in that form."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def positive_int(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return number


def lake_is_missing(command: str, lake: Path, what_to_do: str = "") -> bool:
    """True (after saying so on stderr, with what to do) when the lake folder does not exist."""
    if lake.is_dir():
        return False
    print(f"c360 {command}: lake folder {lake} does not exist" + (f"; {what_to_do}" if what_to_do else ""),
          file=sys.stderr)
    return True
