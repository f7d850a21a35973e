"""`c360 demo [--lake DIR] [--days 7] [--customers 2000] [--events-per-day 20000]`: the whole
pipeline on generated data with defects, day after day, then a summary and business answers."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from telco360.commands.arguments import positive_int


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="generate days of data with defects, run each day, print what happened",
        description="Starts from an empty lake folder (one a previous demo made is cleared), runs "
                    "`c360 run` for each generated day, exports the warehouse to <lake>/_export and "
                    "answers business questions from it.",
    )
    parser.add_argument("--lake", type=Path, default=Path("lake"), help="lake folder (default: ./lake)")
    parser.add_argument("--days", type=positive_int, default=7)
    parser.add_argument("--customers", type=positive_int, default=2000)
    parser.add_argument("--events-per-day", type=positive_int, default=20000)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--quiet", action="store_true", help="print only the final summary")
    output.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from telco360.commands.progress import RichReporter, demo_hidden_log_level, logs_hidden
    from telco360.runner.day_run import Reporter, RunFailed
    from telco360.runner.demo import DemoError, run_demo
    from telco360.runner.lock import LakeBusyError

    reporters: list[RichReporter] = []

    def reporter_for_day(run_date: str) -> Reporter:
        if args.quiet or args.json:
            return Reporter()
        for previous in reporters:
            previous.close()
        reporters.append(RichReporter(prefix=f"[bold]{run_date}[/] "))
        return reporters[-1]

    try:
        with logs_hidden(demo_hidden_log_level(args.json)):
            result = run_demo(args.lake, args.days, args.customers, args.events_per_day, reporter_for_day)
    except (DemoError, LakeBusyError, RunFailed) as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        for reporter in reporters:
            reporter.close()
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        from telco360.commands.console import summary_console
        from telco360.commands.demo_summary import print_demo_summary

        print_demo_summary(result, summary_console())
    return 0
