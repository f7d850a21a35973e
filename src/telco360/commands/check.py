"""`c360 check --lake DIR [--run-id ID] [--json]`: run the warehouse data-quality checks on
the local warehouse (DIR/_warehouse/) and print the results. Exit 1 when a critical check
fails, 2 when there is no local warehouse to check."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from telco360.commands.arguments import add_lake_argument
from telco360.lake import WAREHOUSE


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="run the data-quality checks on the local warehouse and print the results",
        description="Checks: not-null and unique keys, accepted values, relationships, the SCD2 "
                    "invariants, staging -> DW reconciliation. Exit 1 on a critical failure.",
    )
    add_lake_argument(parser, "local lake folder (holds _warehouse/)")
    parser.add_argument("--run-id", default=None, help="RUN_ID to record the results under (default: check-<UTC time>)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    warehouse = args.lake / WAREHOUSE
    if not warehouse.is_dir():
        print(f"c360 check: no local warehouse at {warehouse}; run the pipeline on this lake first "
              f"(`c360 demo --lake {args.lake}`)", file=sys.stderr)
        return 2
    from telco360.warehouse.quality import has_critical_failure, run_dq_checks
    from telco360.warehouse.local.session import open_local_warehouse

    run_id = args.run_id or f"check-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}"
    session = open_local_warehouse(args.lake)
    try:
        results = run_dq_checks(session, run_id)
    finally:
        session.close()
    if args.json:
        print(json.dumps({"run_id": run_id, "results": [r.__dict__ for r in results]}, indent=2))
    else:
        print_results(run_id, results)
    return 1 if has_critical_failure(results) else 0


def print_results(run_id: str, results, console=None) -> None:
    """One row a check: its name with the free-text detail under it, then severity, status and
    count. Names and figures are never wrapped or cut; the detail wraps between words in the
    width the terminal leaves (all of it fits 80 columns)."""
    from rich.markup import escape
    from rich.table import Table

    from telco360.commands.console import summary_console, widest

    styles = {"PASS": "green", "FAIL": "red", "SKIPPED": "dim"}
    table = Table(title=f"data-quality checks, run {run_id}", show_lines=True)
    table.add_column("check\n[dim]detail[/]", min_width=widest("check", [r.check_name for r in results]),
                     ratio=1, overflow="fold")
    for header, cells, justify in (
        ("severity", [r.severity for r in results], "left"),
        ("status", [r.status for r in results], "left"),
        ("failing\nrows", [str(r.failing_rows) for r in results], "right"),
    ):
        table.add_column(header, justify=justify, min_width=widest(header, cells), no_wrap=True)
    for r in results:
        style = "yellow" if r.failed and r.severity == "WARNING" else styles.get(r.status, "")
        table.add_row(f"{escape(r.check_name)}\n[dim]{escape(r.detail)}[/]", r.severity,
                      f"[{style}]{r.status}[/]", str(r.failing_rows))
    (console or summary_console()).print(table)
