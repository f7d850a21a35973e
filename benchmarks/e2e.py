"""The whole default demo, timed per day and stage: generate, validate, Glue Job A, Job B,
warehouse (SP_RUN_CUSTOMER360_PIPELINE), then the export.

    .venv/bin/python benchmarks/e2e.py                       # 7 days, 2000 customers, 20000 events/day
    .venv/bin/python benchmarks/e2e.py --days 2 --events-per-day 2000

Runs `c360 demo`'s code (`telco360.runner.demo.run_demo`) in one process, in a temporary lake.
Target: the whole default demo within 180 s on 2 cores. Prints a table and one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 180.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--events-per-day", type=int, default=20000)
    args = parser.parse_args()

    from telco360.runner.demo import run_demo

    with tempfile.TemporaryDirectory(prefix="c360-e2e-") as scratch:
        started = time.monotonic()
        result = run_demo(Path(scratch) / "lake", args.days, args.customers, args.events_per_day)
        total = time.monotonic() - started
    stages = list(result["days"][0]["seconds"])
    print(f"{'day':<12}" + "".join(f"{s:>18}" for s in stages))
    for day in result["days"]:
        print(f"{day['run_date']:<12}" + "".join(f"{day['seconds'].get(s, 0.0):>18.1f}" for s in stages))
    totals = {s: round(sum(d["seconds"].get(s, 0.0) for d in result["days"]), 1) for s in stages}
    print(f"{'all days':<12}" + "".join(f"{totals[s]:>18.1f}" for s in stages))
    print(f"export: {result['export']['seconds']:.1f} s; whole demo: {total:.1f} s "
          f"(target {TARGET_SECONDS:.0f} s: {'met' if total <= TARGET_SECONDS else 'NOT met'}); "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(json.dumps({
        "scale": vars(args), "seconds_total": round(total, 1), "seconds_by_stage": totals,
        "export_seconds": result["export"]["seconds"],
        "facts": sum(d["facts_inserted"] for d in result["days"]),
        "versions_opened": sum(d["versions_opened"] for d in result["days"]),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
