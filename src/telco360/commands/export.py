"""`c360 export --lake DIR --out OUT`: every warehouse table as OUT/<SCHEMA>/<TABLE>.parquet."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from telco360.commands.arguments import add_lake_argument, lake_is_missing


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help="write every warehouse table as Parquet",
        description="Writes OUT/STAGING/<TABLE>.parquet and OUT/DW/<TABLE>.parquet: contract column "
                    "names (upper case) and types, timestamps in UTC without a zone.",
    )
    add_lake_argument(parser)
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--json", action="store_true", help="print {table: rows} as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from telco360.runner.export import ExportError, export_warehouse
    from telco360.runner.lock import LakeBusyError, lake_lock
    from telco360.warehouse.local.session import WarehouseStateError

    if lake_is_missing("export", args.lake):
        return 2
    try:
        with lake_lock(args.lake, "c360 export"):
            written = export_warehouse(args.lake, args.out)
    except ExportError as error:  # no warehouse in this lake yet: the wrong folder, as for `c360 check`
        print(str(error), file=sys.stderr)
        return 2
    except LakeBusyError as error:
        print(f"c360 export: {error}", file=sys.stderr)
        return 3
    except WarehouseStateError as error:
        print(str(error), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(written, indent=2))
    else:
        for table, rows in written.items():
            print(f"{table}: {rows} row(s)")
    return 0
