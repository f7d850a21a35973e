"""`c360 validate --lake DIR [--ingest-date YYYY-MM-DD] [--json]`: route every file under
DIR/raw/ to archive/ or rejected/, as the Lambda does in S3."""
from __future__ import annotations

import argparse
import json
import sys

from telco360 import contract
from telco360.commands.arguments import add_lake_argument, iso_date, lake_is_missing


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="validate raw/ files of a local lake and move them to archive/ or rejected/",
        description="Rejected files are a normal outcome (exit 0); exit 1 when a file could "
                    "not be moved, 2 on bad arguments.",
    )
    add_lake_argument(parser, "local lake folder (holds raw/)")
    parser.add_argument("--ingest-date", type=iso_date, default=None,
                        help="ingest date for archive/rejected keys (default: today, UTC)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from telco360.validator.local import validate_lake

    if lake_is_missing("validate", args.lake, "create it or run `c360 generate --lake DIR` first"):
        return 2
    if not (args.lake / contract.RAW).is_dir():
        # A folder without raw/ is most likely not the lake meant (or the lake's parent).
        print(f"c360 validate: {args.lake} has no {contract.RAW}/ folder; deliver files to "
              f"{args.lake / contract.RAW}/<dataset>/ or run `c360 generate --lake {args.lake}`", file=sys.stderr)
        return 2
    summary = validate_lake(args.lake, args.ingest_date)
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        counts = summary["counts"]
        print(f"{summary['files']} raw file(s), ingest date {summary['ingest_date']}: "
              f"{counts['archived']} archived, {counts['rejected']} rejected, "
              f"{counts['error']} failed")
        for item in summary["rejected"]:
            print(f"  rejected: {item['key']}: {item['reason']}: {item['detail']}")
        for item in summary["errors"]:
            print(f"  FAILED: {item['key']}: {item['detail']}")
    return 1 if summary["errors"] else 0
