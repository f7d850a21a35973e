"""The whole default demo, timed per day and stage: generate, validate, Glue Job A, Job B,
warehouse (SP_RUN_CUSTOMER360_PIPELINE), then the export.

    .venv/bin/python benchmarks/e2e.py                       # 7 days, 2000 customers, 20000 events/day
    .venv/bin/python benchmarks/e2e.py --days 2 --events-per-day 2000
    .venv/bin/python benchmarks/e2e.py --fresh-clone         # `make demo` in a fresh clone: install + demo
    .venv/bin/python benchmarks/e2e.py --fresh-clone --pip-cache-dir "$(mktemp -d)"   # ... with a cold pip cache
    .venv/bin/python benchmarks/e2e.py --fresh-clone --repo ../base   # another checkout's HEAD, to compare

By default runs `c360 demo`'s code (`telco360.runner.demo.run_demo`) in one process, in a
temporary lake: no install. `--fresh-clone` clones the repository's committed HEAD into a
temporary folder and runs `make demo` there as a person would (Python 3.11 and Java 17 on the
machine; pip's wheel cache as it is, or the folder given); the install's share is the time until
the Makefile stamps .venv installed, and the demo prints its own stage table.
Target: `make demo` from a fresh clone, install included, within 150 s on 2 cores. Prints a
table and one JSON line; when a day fails, the figures of the runs so far (from the lake's run
records) and the error.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 150.0
REPO_ROOT = Path(__file__).resolve().parents[1]
# What `make demo` stamps once its install is done (the Makefile's STAMP).
INSTALLED_STAMP = Path(".venv") / ".installed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--events-per-day", type=int, default=20000)
    parser.add_argument("--fresh-clone", action="store_true",
                        help="run `make demo` in a fresh clone of HEAD (the default demo; install included)")
    parser.add_argument("--pip-cache-dir", type=Path, help="with --fresh-clone: pip's cache folder (empty: a cold cache)")
    parser.add_argument("--repo", type=Path, default=REPO_ROOT,
                        help="with --fresh-clone: the repository to clone (default: this script's)")
    args = parser.parse_args()
    if args.fresh_clone:
        return fresh_clone_demo(args.repo, args.pip_cache_dir)
    return in_process_demo(args)


def in_process_demo(args: argparse.Namespace) -> int:
    from telco360.runner.day_run import RunFailed
    from telco360.runner.demo import run_demo
    from telco360.runner.records import read_run_records
    from telco360.runner.summary import run_facts

    failure = None
    started_ahead = None
    with tempfile.TemporaryDirectory(prefix="c360-e2e-") as scratch:
        lake = Path(scratch) / "lake"
        started = time.monotonic()
        try:
            result = run_demo(lake, args.days, args.customers, args.events_per_day)
            days, export_seconds = result["days"], result["export"]["seconds"]
            started_ahead = result["started_ahead"]["seconds"]
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
    print(f"started ahead of day 1's run (Spark in the background, the warehouse's imports): "
          f"{started_ahead if started_ahead is not None else '-'} s; export: "
          f"{export_seconds if export_seconds is not None else '-'} s; whole demo: {total:.1f} s, no install "
          f"(the {TARGET_SECONDS:.0f} s target includes it: --fresh-clone){'; a day FAILED' if failure else ''}; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if failure:
        print(f"failed: {failure}")
    print(json.dumps({
        "scale": {"days": args.days, "customers": args.customers, "events_per_day": args.events_per_day},
        "seconds_total": round(total, 1), "seconds_by_stage": totals, "started_ahead_seconds": started_ahead,
        "export_seconds": export_seconds, "failed": failure,
        "facts": sum(d["facts_inserted"] for d in days),
        "versions_opened": sum(d["versions_opened"] for d in days),
    }))
    return 1 if failure else 0


def fresh_clone_demo(repo: Path, pip_cache_dir: Path | None) -> int:
    """`make demo` in a fresh clone of `repo`'s HEAD: the install's seconds (until the stamp),
    the demo's, the total against the target, and the demo's own stage table."""
    dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=True).stdout.strip()
    if dirty:
        print("note: uncommitted changes are not in the clone; it runs the committed HEAD")
    env = dict(os.environ)
    if pip_cache_dir is not None:
        env["PIP_CACHE_DIR"] = str(pip_cache_dir.resolve())
    scratch = Path(tempfile.mkdtemp(prefix="c360-fresh-"))
    try:
        clone = scratch / "clone"
        subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
        load_before = os.getloadavg()[0]
        started_wall, started = time.time(), time.monotonic()
        demo = subprocess.run(["make", "demo"], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        total = time.monotonic() - started
        stamp = clone / INSTALLED_STAMP
        install = stamp.stat().st_mtime - started_wall if stamp.is_file() else None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("\n".join(_stage_table(demo.stdout.splitlines())))
    verdict = "FAILED" if demo.returncode else ("met" if total <= TARGET_SECONDS else "NOT met")
    print(f"make demo from a fresh clone: install {_seconds(install)} s (pip cache: "
          f"{pip_cache_dir or 'as it is'}), demo {_seconds(None if install is None else total - install)} s, "
          f"total {total:.1f} s (target {TARGET_SECONDS:.0f} s: {verdict}); load average "
          f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end on {os.cpu_count()} cores")
    print(json.dumps({
        "fresh_clone": str(repo), "pip_cache_dir": str(pip_cache_dir) if pip_cache_dir else None,
        "seconds_total": round(total, 1), "install_seconds": None if install is None else round(install, 1),
        "exit_code": demo.returncode,
    }))
    return 1 if demo.returncode else 0


def _stage_table(output: list[str]) -> list[str]:
    """The demo summary's "Seconds per stage" table and the line after it; the end of the
    output when the demo printed no such table (it failed)."""
    first = next((i for i, line in enumerate(output) if "Seconds per stage" in line), None)
    if first is None:
        return output[-40:]
    last = next((i for i in range(first, len(output)) if output[i].startswith("└")), len(output) - 1)
    return output[first:last + 2]


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    sys.exit(main())
