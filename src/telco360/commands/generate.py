"""`c360 generate --lake DIR --days N --customers N --events-per-day N --seed S [--defects]`:
write synthetic CRM, billing and network source files into DIR/raw/."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from telco360.commands.arguments import add_lake_argument


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate", help="write synthetic source files for N days into a local lake's raw/ zone",
        description="Deterministic for a seed: the same arguments write the same bytes. "
                    "Exit 0 on success, 2 on bad arguments.",
    )
    add_lake_argument(parser, "local lake folder (raw/ is created in it)")
    parser.add_argument("--days", type=int, default=7, help="consecutive extract days (default 7)")
    parser.add_argument("--customers", type=int, default=1000,
                        help="customers delivered on the first day; about 1%% more sign up each later day (default 1000)")
    parser.add_argument("--events-per-day", type=int, default=10_000,
                        help="distinct new activity events a day (default 10000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--defects", action="store_true",
                        help="add bad files (one per contract rejection reason) and bad records every day")
    parser.add_argument("--start-date", default="2024-01-15", help="extract date of day 0, YYYY-MM-DD (default 2024-01-15)")
    parser.add_argument("--only-day", type=int, default=None, metavar="K",
                        help="write only day K (0-based), byte-identical to that day of the full run")
    parser.add_argument("--summary", type=Path, default=None, metavar="FILE",
                        help="also write the full summary (every file with its expected fate) as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from telco360.generator import generate

    began = time.perf_counter()
    try:
        summary = generate(args.lake, days=args.days, customers=args.customers, events_per_day=args.events_per_day,
                           seed=args.seed, defects=args.defects, start_date=args.start_date, only_day=args.only_day)
    except ValueError as error:
        print(f"c360 {error}; see `c360 generate --help`", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - began
    if args.summary is not None:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    files = summary["files"]
    rejected = sum(1 for f in files if f["expected"] == "rejected")
    print(f"wrote {len(files)} file(s) under {args.lake / 'raw'} for {', '.join(summary['extract_dates'])} "
          f"in {seconds:.1f}s ({rejected} meant to be rejected)")
    print(json.dumps({"counts": summary["counts"], "defects_injected": {
        k: v for k, v in summary["defects_injected"].items() if k != "record_reasons"}}, indent=2))
    return 0
