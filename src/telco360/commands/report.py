"""`c360 report --lake DIR --out report.html [--as-of YYYY-MM-DD]`: write the run report, a
self-contained HTML page (no network needed to view it), and print its path."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write the HTML run report of a local lake (files, quarantine, loads, DQ, charts)",
    )
    parser.add_argument("--lake", required=True, type=Path, help="local lake folder")
    parser.add_argument("--out", required=True, type=Path, help="HTML file to write")
    parser.add_argument("--as-of", type=_iso_date, default=None,
                        help="as-of date for the marts (default: the latest RUN_DATE, else today)")
    parser.set_defaults(func=run)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def run(args: argparse.Namespace) -> int:
    if not args.lake.is_dir():
        print(f"c360 report: lake folder {args.lake} does not exist", file=sys.stderr)
        return 2
    from telco360.runner.report import write_run_report

    print(write_run_report(args.lake, args.out, args.as_of).resolve())
    return 0
