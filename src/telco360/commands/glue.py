"""`c360 glue clean|staging --lake DIR [--run-id R] [--reprocess-date D] [--json]`: run Glue
Job A or B on local PySpark over a lake folder: the very scripts AWS Glue runs (`glue/`)."""
from __future__ import annotations

import argparse
import json
import sys

from telco360.commands.arguments import add_lake_argument, iso_date, lake_is_missing

SCRIPTS = {"clean": "clean_job.py", "staging": "staging_job.py"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "glue", help="run Glue Job A (clean) or Job B (staging) locally on PySpark",
        description="Exit 0 on success (quarantined records are a normal outcome), 1 when the "
                    "job fails, 2 on bad arguments.",
    )
    parser.add_argument("job", choices=sorted(SCRIPTS), help="clean: archive/ -> clean/; staging: clean/ -> staging/")
    add_lake_argument(parser)
    parser.add_argument("--run-id", default=None, help="run id (default: a UTC timestamp)")
    parser.add_argument("--reprocess-date", default=None, type=iso_date,
                        help="clean only: redo every archived file of this ingest date (YYYY-MM-DD)")
    parser.add_argument("--json", action="store_true", help="print the run summary as JSON")
    parser.set_defaults(func=run)


def job_arguments(args: argparse.Namespace) -> list[str]:
    argv = ["--lake_uri", str(args.lake.resolve())]
    if args.run_id:
        argv += ["--run_id", args.run_id]
    if args.reprocess_date:
        argv += ["--reprocess_date", args.reprocess_date]
    return argv


def run(args: argparse.Namespace) -> int:
    from telco360.commands.progress import hidden_log_level, logs_hidden
    from telco360.runner import handlers
    from telco360.spark.runtime import JobInputError

    if lake_is_missing(f"glue {args.job}", args.lake, "run `c360 validate --lake DIR` on a lake first"):
        return 2
    if args.reprocess_date and args.job != "clean":
        print("c360 glue staging: --reprocess-date applies to the clean job only", file=sys.stderr)
        return 2
    try:
        # The jobs' JSON-line logs are for CloudWatch; here `describe` says the same for a person.
        with logs_hidden(hidden_log_level(quiet=False, as_json=args.json)):
            summary = handlers.glue_main(SCRIPTS[args.job])(job_arguments(args))
    except JobInputError as error:
        print(f"c360 glue {args.job}: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        print(describe(summary))
    return 0


def describe(summary: dict) -> str:
    lines = [f"{summary['job']} run {summary['run_id']}: {summary['status']}"]
    for dataset, result in summary.get("datasets", {}).items():
        lines.append(f"  {dataset}: {len(result['files'])} file(s), {result['clean']} clean, "
                     f"{result['quarantined']} quarantined {result['quarantine_reasons'] or ''}".rstrip())
    for table, result in summary.get("tables", {}).items():
        lines.append(f"  {table}: {result['rows']} row(s) in staging/{result['path']}")
    return "\n".join(lines)
