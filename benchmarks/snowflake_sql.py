"""The SQL Snowflake receives for one daily load (SP_RUN_CUSTOMER360_PIPELINE: the four
steps and the data-quality checks), from the statement log of a run on fakesnow.

Runs benchmarks/warehouse.py's day 1 (every customer new) on the executing Snowflake backend
of the tests (tests/warehouse/fakesnow_shims.py: fakesnow server + a real Snowpark session)
and prints the statements other than DESCRIBE/SHOW (and describe-only requests), the total
bytes of SQL and the largest statement. The staging tables are filled by INSERT into
fakesnow's DuckDB; the COPY statements and the manifest read from the stage Snowflake
would receive instead are counted.
Targets (issue 19): <= 25 statements, <= 50 KB of SQL, largest statement <= 20 KB.

    .venv/bin/python benchmarks/snowflake_sql.py                       # 10k customers / 100k events
    .venv/bin/python benchmarks/snowflake_sql.py --customers 100 --events 1000 --json
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "warehouse"))
sys.path.insert(0, str(REPO / "benchmarks"))

from fakesnow_shims import fakesnow_backend, fakesnow_session, statement_log  # noqa: E402
from telco360.warehouse import pipeline  # noqa: E402
from telco360.warehouse.local.arrow import arrow_schema  # noqa: E402
from warehouse import _customer_rows, _event_columns, _plan_rows, write_staging  # noqa: E402

TARGETS = {"statements": 25, "sql_bytes": 50_000, "largest_statement_bytes": 20_000}
NOT_COUNTED = ("DESCRIBE", "SHOW")


def counted(text: str) -> bool:
    return not text.lstrip().upper().startswith(NOT_COUNTED)


def daily_load_figures(n_customers: int, n_events: int) -> dict:
    rng = random.Random(42)
    day = dt.date(2024, 1, 1)
    with tempfile.TemporaryDirectory() as tmp, fakesnow_session() as session:
        lake = Path(tmp)
        write_staging(lake, f"run-{day}", {
            "STG_CUSTOMERS": pa.Table.from_pylist(
                _customer_rows(n_customers, day, rng, range(1, n_customers + 1)), schema=arrow_schema("STG_CUSTOMERS")),
            "STG_PLANS": pa.Table.from_pylist(_plan_rows(day), schema=arrow_schema("STG_PLANS")),
            "STG_ACTIVITY": pa.Table.from_pydict(
                _event_columns(n_events, n_customers, day, 0, rng), schema=arrow_schema("STG_ACTIVITY")),
        })
        backend = fakesnow_backend(lake / "staging")
        started = time.perf_counter()
        with statement_log() as log:
            pipeline.run_pipeline(session, day.isoformat(), backend=backend)
        seconds = time.perf_counter() - started
    sent = [s.text for s in log if not s.describe_only and counted(s.text)]
    sent += backend.staging.sent_stage_reads + backend.staging.sent_copies
    sizes = [len(text.encode("utf-8")) for text in sent]
    return {
        "statements": len(sent),
        "sql_bytes": sum(sizes),
        "largest_statement_bytes": max(sizes),
        "describe_or_show": sum(1 for s in log if s.describe_only or not counted(s.text)),
        "customers": n_customers,
        "events": n_events,
        "fakesnow_seconds": round(seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    args = parser.parse_args(argv)
    figures = daily_load_figures(args.customers, args.events)
    print(f"one daily load, {args.customers} customers / {args.events} events, on fakesnow "
          f"({figures['fakesnow_seconds']} s):")
    for name, target in TARGETS.items():
        verdict = "met" if figures[name] <= target else "NOT met"
        print(f"  {name:<26}{figures[name]:>12,}  target <= {target:,}: {verdict}")
    print(f"  {'DESCRIBE/SHOW (not counted)':<26}{figures['describe_or_show']:>12,}")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
