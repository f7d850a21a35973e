"""Speed of `c360 generate`: target 100k events a day in a few seconds.

    .venv/bin/python benchmarks/generator.py [--days 3] [--customers 10000] [--events-per-day 100000]

Prints seconds per day for the all-days mode and for one day alone (`only_day`), the bytes
written and the peak resident memory. Figures from a shared, busy machine are upper bounds.
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

from telco360.generator import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--events-per-day", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    run = dict(days=args.days, customers=args.customers, events_per_day=args.events_per_day, seed=args.seed)
    print(f"machine: {os.cpu_count()} cpu(s); run: {run}, defects on")
    with tempfile.TemporaryDirectory() as lake:
        began = time.perf_counter()
        summary = generate(lake, defects=True, **run)
        all_days = time.perf_counter() - began
        written = sum(f["bytes"] for f in summary["files"])
        lines = sum(f["records"] or 0 for f in summary["files"] if f["dataset"] == "activity_logs")
        print(f"all days : {all_days:6.2f} s total, {all_days / args.days:5.2f} s/day, "
              f"{lines / all_days:,.0f} activity lines/s, {written / 1e6:,.1f} MB written, {len(summary['files'])} files")
    with tempfile.TemporaryDirectory() as lake:
        began = time.perf_counter()
        generate(lake, defects=True, only_day=args.days - 1, **run)
        print(f"only_day={args.days - 1}: {time.perf_counter() - began:6.2f} s (simulates the CRM from day 0, "
              "generates the previous day's events for redelivery)")
    print(f"peak RSS : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
