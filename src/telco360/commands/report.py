"""`c360 report --lake DIR --out report.html [--as-of YYYY-MM-DD]`: write the run report, a
self-contained HTML page (no network needed to view it), and print its path."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from telco360.commands.arguments import add_lake_argument, iso_date, lake_is_missing


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write the HTML run report of a local lake (files, quarantine, loads, DQ, charts)",
    )
    add_lake_argument(parser)
    parser.add_argument("--out", required=True, type=Path, help="HTML file to write")
    parser.add_argument("--as-of", type=iso_date, default=None,
                        help="as-of date for the marts (default: the latest RUN_DATE, else today)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if lake_is_missing("report", args.lake):
        return 2
    from telco360.runner.report import write_run_report

    print(write_run_report(args.lake, args.out, dt.date.fromisoformat(args.as_of) if args.as_of else None).resolve())
    return 0
