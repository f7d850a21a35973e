"""The whole default demo, timed per day and stage: generate, validate, Glue Job A, Job B,
warehouse (SP_RUN_CUSTOMER360_PIPELINE), then the export.

    .venv/bin/python benchmarks/e2e.py                       # 7 days, 2000 customers, 20000 events/day
    .venv/bin/python benchmarks/e2e.py --days 2 --events-per-day 2000

Runs `c360 demo`'s code (`telco360.runner.demo.run_demo`) in one process, in a temporary lake.
Target: the whole default demo within 180 s on 2 cores. Prints a table and one JSON line;
when a day fails, the figures of the runs so far (from the lake's run records) and the error.
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

    from telco360.runner.day_run import RunFailed
    from telco360.runner.demo import run_demo
    from telco360.runner.records import read_run_records
    from telco360.runner.summary import run_facts

    failure = None
    with tempfile.TemporaryDirectory(prefix="c360-e2e-") as scratch:
        lake = Path(scratch) / "lake"
        started = time.monotonic()
        try:
            result = run_demo(lake, args.days, args.customers, args.events_per_day)
            days, export_seconds = result["days"], result["export"]["seconds"]
        except RunFailed as error:
            failure = str(error)
            days, export_seconds = [run_facts(r) for r in read_run_records(lake)], None
        total = time.monotonic() - started
    stages = list(dict.fromkeys(s for day in days for s in day["seconds"]))
    print(f"{'day':<12}{'status':>10}" + "".join(f"{s:>15}" for s in stages))
    for day in days:
        print(f"{day['run_date']:<12}{day['status']:>10}" + "".join(f"{day['seconds'].get(s, 0.0):>15.1f}" for s in stages))
    totals = {s: round(sum(d["seconds"].get(s, 0.0) for d in days), 1) for s in stages}
    print(f"{'all days':<22}" + "".join(f"{totals[s]:>15.1f}" for s in stages))
    verdict = "NOT met (a day failed)" if failure else ("met" if total <= TARGET_SECONDS else "NOT met")
    print(f"export: {export_seconds if export_seconds is not None else '-'} s; whole demo: {total:.1f} s "
          f"(target {TARGET_SECONDS:.0f} s: {verdict}); peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if failure:
        print(f"failed: {failure}")
    print(json.dumps({
        "scale": vars(args), "seconds_total": round(total, 1), "seconds_by_stage": totals,
        "export_seconds": export_seconds, "failed": failure,
        "facts": sum(d["facts_inserted"] for d in days),
        "versions_opened": sum(d["versions_opened"] for d in days),
    }))
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
