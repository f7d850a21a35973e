"""Warehouse benchmark: a daily load in Snowpark local testing at a given scale.

Builds a synthetic staging snapshot (Parquet + manifest, written with pyarrow the way Job B
lays it out) in a temporary lake, opens the local warehouse, runs
SP_RUN_CUSTOMER360_PIPELINE twice (day 1: every customer new; day 2: a tenth of them change,
some records late, new events), and prints per procedure: seconds (wall and CPU), DataFrame actions
(collect/count/cache_result/save_as_table/merge, counted at the outermost call) and the peak
RSS of the process when the step ended (the step that raises it is where the memory goes).

    .venv/bin/python benchmarks/warehouse.py --customers 10000 --events 100000
    .venv/bin/python benchmarks/warehouse.py --customers 100000 --events 1000000

POST_LOAD_CHECKS (the data-quality checks, run inside the pipeline before COMMIT) is timed
on its own line. Targets: <= 10 s and <= 2 GB at 10k/100k; <= 120 s and <= 4 GB at 100k/1M
(issue 19: 5.9 GB before the local warehouse freed its temporary tables); the action count
the same at every scale.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from snowflake.snowpark import DataFrame
from snowflake.snowpark.dataframe_writer import DataFrameWriter
from snowflake.snowpark.table import Table

from telco360.lake import LATEST_MANIFEST
from telco360.warehouse import pipeline, steps
from telco360.warehouse.local.session import open_local_warehouse, save_local_warehouse
from telco360.warehouse.local.arrow import arrow_schema

ACTIONS: Counter = Counter()
_depth = [0]
_current_step = ["-"]


def _count_actions() -> None:
    """Wrap every DataFrame action so each outermost call counts once for the running step."""
    def wrap(owner, name):
        original = getattr(owner, name)

        @functools.wraps(original)
        def counted(*args, **kwargs):
            if _depth[0] == 0:
                ACTIONS[_current_step[0]] += 1
            _depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                _depth[0] -= 1
        setattr(owner, name, counted)

    for name in ("collect", "count", "cache_result", "to_pandas"):
        wrap(DataFrame, name)
    wrap(DataFrameWriter, "save_as_table")
    wrap(Table, "merge")

    pipeline.STEPS = tuple((name, _timed(name, step)) for name, step in steps.STEPS)
    pipeline.run_post_load_checks = _timed(POST_LOAD_CHECKS, pipeline.run_post_load_checks)


def _timed(name: str, function):
    """`function`, timing each call under `name` and counting its actions for `name`."""
    @functools.wraps(function)
    def timed(*args, **kwargs):
        _current_step[0] = name
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            TIMINGS[name] = time.perf_counter() - started
            CPU[name] = time.process_time() - cpu_started
            PEAKS[name] = peak_rss_mb()
            _current_step[0] = "-"
    return timed


TIMINGS: dict[str, float] = {}
# CPU seconds of the process per step: on a shared machine the wall seconds follow the load.
CPU: dict[str, float] = {}
# The process's peak RSS when each step ended: the step that raises it is where memory goes.
PEAKS: dict[str, float] = {}
POST_LOAD_CHECKS = "POST_LOAD_CHECKS (DQ)"
OPEN = "open_local_warehouse"
SAVE = "save_local_warehouse"


def _customer_rows(n_customers: int, day: dt.date, rng: random.Random, changed: range | list) -> list[dict]:
    name = f"customers_{day:%Y%m%d}.ndjson"
    rows = []
    for line, i in enumerate(changed, start=1):
        status = "ACTIVE" if day.day == 1 else rng.choice(("ACTIVE", "SUSPENDED", "CHURNED"))
        # on day 2 some records are late (before day 1's states) to exercise splicing
        hour = rng.randrange(0, 24) if day.day == 1 or rng.random() > 0.2 else 0
        updated = dt.datetime.combine(day, dt.time(hour)) - (dt.timedelta(days=2) if hour == 0 and day.day != 1 else dt.timedelta())
        rows.append({
            "CUSTOMER_ID": f"C{i:07d}", "FIRST_NAME": "First", "LAST_NAME": f"Last{i}",
            "EMAIL": f"c{i}@example.com", "PHONE": f"+1555{i:07d}", "ADDRESS_LINE1": f"{i} Main St",
            "CITY": rng.choice(("Lagos", "Abuja", "Kano")), "STATE": "LA", "POSTAL_CODE": "101001",
            "COUNTRY": "NG", "DATE_OF_BIRTH": dt.date(1990, 1, 1), "PLAN_ID": f"PLN-{i % 7}",
            "STATUS": status, "SIGNUP_DATE": dt.date(2023, 6, 1), "UPDATED_AT": updated,
            "PLAN_IN_CATALOG": True, "SOURCE_FILE": name, "SOURCE_LINE": line,
            "EXTRACT_DATE": day, "INGEST_DATE": day,
        })
    return rows


def _event_columns(n_events: int, n_customers: int, day: dt.date, offset: int, rng: random.Random) -> dict:
    start = dt.datetime.combine(day, dt.time()) - dt.timedelta(days=3)
    ts = [start + dt.timedelta(seconds=rng.randrange(0, 4 * 86400)) for _ in range(n_events)]
    return {
        "EVENT_ID": [f"E{offset + k:09d}" for k in range(n_events)],
        "CUSTOMER_ID": [f"C{rng.randrange(1, n_customers + 1):07d}" for _ in range(n_events)],
        "EVENT_TYPE": ["DATA"] * n_events,
        "EVENT_TS": ts,
        "EVENT_DATE": [t.date() for t in ts],
        "DURATION_SEC": [None] * n_events,
        "DATA_MB": [Decimal("1.250")] * n_events,
        "CELL_ID": ["CELL-1"] * n_events,
        "ROAMING": [False] * n_events,
        "SOURCE_FILE": [f"activity_logs_{day:%Y%m%d}.ndjson"] * n_events,
        "SOURCE_LINE": list(range(1, n_events + 1)),
        "INGEST_DATE": [day] * n_events,
    }


def _plan_rows(day: dt.date) -> list[dict]:
    return [{
        "PLAN_ID": f"PLN-{p}", "PLAN_NAME": f"Plan {p}", "PLAN_TYPE": "POSTPAID",
        "MONTHLY_FEE": Decimal("20.00"), "CURRENCY": "USD", "DATA_ALLOWANCE_GB": None,
        "VOICE_MINUTES": None, "SMS_ALLOWANCE": None, "CONTRACT_MONTHS": 12,
        "SOURCE_UPDATED_AT": dt.datetime(2023, 1, 1), "IN_LATEST_CATALOG": True,
        "CATALOG_EXTRACT_DATE": day, "SOURCE_FILE": f"plans_{day:%Y%m%d}.csv",
    } for p in range(7)]


def write_staging(lake: Path, run_id: str, tables: dict[str, pa.Table]) -> None:
    staging = lake / "staging"
    folders = {"STG_CUSTOMERS": "customers", "STG_PLANS": "plans", "STG_ACTIVITY": "activity_logs"}
    manifest = {"run_id": run_id, "created_at": dt.datetime.utcnow().isoformat() + "Z", "tables": {}}
    for table, data in tables.items():
        folder = f"{folders[table]}/run_id={run_id}/"
        (staging / folder).mkdir(parents=True, exist_ok=True)
        pq.write_table(data, staging / folder / "part-00000.parquet")
        manifest["tables"][table] = {"path": folder, "files": ["part-00000.parquet"], "rows": data.num_rows}
    (staging / LATEST_MANIFEST).write_text(json.dumps(manifest))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n_customers: int, n_events: int) -> None:
    rng = random.Random(42)
    _count_actions()
    with tempfile.TemporaryDirectory() as tmp:
        lake = Path(tmp)
        days = [
            (dt.date(2024, 1, 1), range(1, n_customers + 1)),
            (dt.date(2024, 1, 2), sorted(rng.sample(range(1, n_customers + 1), max(1, n_customers // 10)))),
        ]
        print(f"scale: {n_customers} customers, {n_events} events per day; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}")
        for number, (day, changed) in enumerate(days):
            write_staging(lake, f"run-{day}", {
                "STG_CUSTOMERS": pa.Table.from_pylist(_customer_rows(n_customers, day, rng, changed), schema=arrow_schema("STG_CUSTOMERS")),
                "STG_PLANS": pa.Table.from_pylist(_plan_rows(day), schema=arrow_schema("STG_PLANS")),
                "STG_ACTIVITY": pa.Table.from_pydict(_event_columns(n_events, n_customers, day, number * n_events, rng), schema=arrow_schema("STG_ACTIVITY")),
            })
            ACTIONS.clear()
            TIMINGS.clear()
            CPU.clear()
            session = _timed(OPEN, open_local_warehouse)(lake)
            summary = pipeline.run_pipeline(session, day.isoformat())
            _timed(SAVE, save_local_warehouse)(session, lake)
            session.close()
            print(f"\nday {day}: {len(changed)} customer records, {n_events} events")
            print(f"  {'step':<24}{'seconds':>9}{'cpu s':>9}{'actions':>9}{'peak MB':>9}")
            for name in [OPEN, *(name for name, _ in steps.STEPS), POST_LOAD_CHECKS, SAVE]:
                actions = "" if name in (OPEN, SAVE) else ACTIONS[name]
                print(f"  {name:<24}{TIMINGS.get(name, 0):>9.1f}{CPU.get(name, 0):>9.1f}{actions:>9}{PEAKS.get(name, 0):>9.0f}")
            print(f"  {'audit (pipeline)':<24}{'':>18}{ACTIONS['-']:>9}")
            print(f"  pipeline total {summary['seconds']:.1f} s ({sum(CPU.get(n, 0) for n, _ in steps.STEPS) + CPU.get(POST_LOAD_CHECKS, 0):.1f} "
                  f"CPU s in the steps and checks); peak RSS so far {peak_rss_mb():.0f} MB; load average {os.getloadavg()[0]:.1f}")
            print(f"  steps: {json.dumps({k: {m: v for m, v in s.items() if m.startswith('rows')} for k, s in summary['steps'].items()}, default=int)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args(argv)
    run(args.customers, args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
