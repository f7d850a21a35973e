"""`c360 run --lake DIR [--date YYYY-MM-DD] [--quiet | --json]`: one day of the whole
pipeline on this machine: validator, the state machine's Glue jobs, the warehouse."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from telco360.commands.arguments import add_lake_argument, iso_date, lake_is_missing


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run the whole pipeline for one day over a local lake folder",
        description="Validate raw/, run Glue Job A then Job B as aws/statemachine/customer360.asl.json "
                    "says, then SP_RUN_CUSTOMER360_PIPELINE on the local warehouse. Exit 0 on success, "
                    "1 when a step fails (the warehouse is left as it was; run again to resume), "
                    "2 on bad arguments, 3 when another run holds the lake.",
    )
    add_lake_argument(parser, "local lake folder (laid out like the bucket)")
    parser.add_argument("--date", default=None, type=iso_date, help="run date = ingest date, YYYY-MM-DD (default: today, UTC)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--quiet", action="store_true", help="print nothing but errors")
    output.add_argument("--json", action="store_true", help="print the run record as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from telco360.commands.progress import RichReporter, hidden_log_level, logs_hidden
    from telco360.runner.day_run import Reporter, RunFailed, run_lake_day
    from telco360.runner.lock import LakeBusyError

    if lake_is_missing("run", args.lake, f"create it with raw/<dataset>/ files (or `c360 generate --lake {args.lake}`)"):
        return 2
    run_date = args.date or dt.datetime.now(dt.timezone.utc).date().isoformat()
    reporter = Reporter() if args.quiet or args.json else RichReporter()
    try:
        with logs_hidden(hidden_log_level(args.quiet, args.json)):
            record = run_lake_day(args.lake, run_date, reporter)
    except LakeBusyError as error:
        print(f"c360 run: {error}", file=sys.stderr)
        return 3
    except RunFailed as error:
        print(str(error), file=sys.stderr)
        if args.json:
            print(json.dumps(error.record, indent=2, default=str))
        return 1
    finally:
        if isinstance(reporter, RichReporter):
            reporter.close()
    if args.json:
        print(json.dumps(record, indent=2, default=str))
    elif not args.quiet:
        from telco360.runner.summary import describe_run

        print(describe_run(record))
    return 0
