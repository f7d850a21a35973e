"""SP_REFRESH_MARTS on the executing Snowflake backend of the tests (fakesnow + a real Snowpark
session, tests/warehouse/fakesnow_shims.py), at the demo's default scale: the seconds it takes
and the SQL Snowflake receives (statements other than DESCRIBE/SHOW, bytes, the largest
statement, the slowest statements).

The DW tables come from a lake `c360 demo` built (its saved local warehouse), put into
fakesnow's DuckDB with Arrow; without --lake the demo runs first into a temporary folder
(7 days, 2,000 customers, 20,000 events a day: `c360 demo`'s defaults).
Target (issue 19): the refresh finishes in < 60 s on fakesnow.

    .venv/bin/python benchmarks/marts_sql.py                          # runs the demo first
    .venv/bin/python benchmarks/marts_sql.py --lake ./lake --json     # a lake c360 demo made
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "warehouse"))

from fakesnow_shims import fakesnow_session, statement_log  # noqa: E402
from telco360.analytics.refresh import refresh_marts  # noqa: E402
from telco360.warehouse.local.session import PERSISTED_TABLES, read_saved_table  # noqa: E402
from telco360.warehouse.tables import qualified_name  # noqa: E402

TARGET_SECONDS = 60
NOT_COUNTED = ("DESCRIBE", "SHOW")


def copy_warehouse(lake: Path) -> dict[str, int]:
    """The lake's saved DW tables into fakesnow's DuckDB (the DDL made them); rows per table."""
    import fakesnow.server

    copied = {}
    with fakesnow.server.shared_fs.duck_conn.cursor() as duck:
        for table in PERSISTED_TABLES:
            data = read_saved_table(lake, table)
            if data is None:
                continue
            duck.register("saved_table", data)
            duck.execute(f"INSERT INTO {qualified_name(table)} BY NAME SELECT * FROM saved_table")
            duck.unregister("saved_table")
            copied[table] = data.num_rows
    return copied


def refresh_figures(lake: Path, run_date: str) -> dict:
    with fakesnow_session() as session:
        copied = copy_warehouse(lake)
        started = time.perf_counter()
        with statement_log() as log:
            summary = refresh_marts(session, run_date)
        seconds = time.perf_counter() - started
    sent = [s for s in log if not s.describe_only and not s.text.lstrip().upper().startswith(NOT_COUNTED)]
    sizes = [len(s.text.encode("utf-8")) for s in sent]
    slowest = sorted(sent, key=lambda s: s.seconds, reverse=True)[:5]
    return {
        "seconds": round(seconds, 1),
        "statements": len(sent),
        "sql_bytes": sum(sizes),
        "largest_statement_bytes": max(sizes, default=0),
        "describe_or_show": len(log) - len(sent),
        "slowest": [{"seconds": round(s.seconds, 2), "bytes": len(s.text.encode("utf-8")),
                     "start": " ".join(s.text.split())[:100]} for s in slowest],
        "dw_rows": copied,
        "mart_rows": summary["rows"],
    }


def demo_lake(folder: Path) -> Path:
    from telco360.runner.demo import run_demo

    lake = folder / "lake"
    run_demo(lake, days=7, customers=2000, events_per_day=20_000)
    return lake


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, help="a lake c360 demo built (default: run the demo first)")
    parser.add_argument("--run-date", help="RUN_DATE of the refresh (default: the lake's last run)")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        lake = args.lake or demo_lake(Path(tmp))
        run_date = args.run_date or last_run_date(lake)
        figures = refresh_figures(lake, run_date)
    print(f"SP_REFRESH_MARTS on fakesnow, RUN_DATE {run_date}, DW rows {figures['dw_rows']}:")
    verdict = "met" if figures["seconds"] < TARGET_SECONDS else "NOT met"
    print(f"  {'seconds':<26}{figures['seconds']:>12,}  target < {TARGET_SECONDS}: {verdict}")
    for name in ("statements", "sql_bytes", "largest_statement_bytes", "describe_or_show"):
        print(f"  {name:<26}{figures[name]:>12,}")
    print("  slowest statements:")
    for s in figures["slowest"]:
        print(f"    {s['seconds']:>7.2f} s {s['bytes']:>8,} B  {s['start']}")
    if args.json:
        print(json.dumps(figures))
    return 0


def last_run_date(lake: Path) -> str:
    """The RUN_DATE of the lake's last run."""
    from telco360.runner.records import read_run_records

    records = read_run_records(lake)
    if not records:
        raise SystemExit(f"marts_sql: {lake} has no runs; build it with `c360 demo --lake {lake}`")
    return records[-1]["run_date"]

if __name__ == "__main__":
    sys.exit(main())
