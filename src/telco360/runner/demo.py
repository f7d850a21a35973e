"""`c360 demo`: generate days of source files with defects, run each day in turn with
`c360 run`'s code, export the warehouse and answer business questions from it."""
from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path
from typing import Callable

from telco360.runner.day_run import Reporter, run_lake_day
from telco360.runner.export import export_warehouse
from telco360.runner.questions import answer_business_questions
from telco360.runner.report import write_run_report
from telco360.runner.summary import run_facts

DEMO_MARKER = ".c360-demo"
DEMO_SEED = 20240115


class DemoError(RuntimeError):
    """The demo cannot start; the message says why and what to do."""


def prepare_demo_lake(lake: Path) -> None:
    """A demo starts from an empty lake. A lake a previous demo made is cleared; any other
    non-empty folder is refused, never deleted."""
    if lake.exists() and any(lake.iterdir()):
        if not (lake / DEMO_MARKER).is_file():
            raise DemoError(f"c360 demo: {lake} is not empty and was not made by c360 demo; "
                            f"pass an empty or new folder with --lake")
        shutil.rmtree(lake)
    lake.mkdir(parents=True, exist_ok=True)
    (lake / DEMO_MARKER).write_text("made by c360 demo; the next demo on this folder clears it\n", encoding="utf-8")


def start_ahead_of_first_run(first_day_files: list[dict]) -> dict:
    """Start what the first run would start later, so that it overlaps: local Spark on a
    background thread, sized by the files the validator will archive (what Job A reads), while
    this thread imports the warehouse's modules (Snowpark, pandas) before validating. Imports
    stay on this thread: two threads importing modules that import each other (pandas and
    pyarrow do) can fail in one of them with a deadlock error."""
    from telco360.runner import handlers
    from telco360.runner.glue_local import start_local_spark_in_background
    from telco360.spark.session import text_bytes

    started = time.monotonic()
    start_local_spark_in_background(text_bytes({f["key"]: f["bytes"] for f in first_day_files if f["expected"] == "archive"}))
    import telco360.warehouse.local.session  # noqa: F401  (the import is the work)

    handlers.procedure("run_pipeline.py", "sp_run_customer360_pipeline")
    handlers.procedure("analytics.py", "sp_refresh_marts")
    return {"seconds": round(time.monotonic() - started, 3)}


def run_demo(lake_dir: Path | str, days: int, customers: int, events_per_day: int,
             reporter_for_day: Callable[[str], Reporter] = lambda _day: Reporter(),
             seed: int = DEMO_SEED) -> dict:
    from telco360.generator import DEFAULT_START_DATE, generate

    lake = Path(lake_dir).resolve()
    prepare_demo_lake(lake)
    start = dt.date.fromisoformat(DEFAULT_START_DATE)
    day_results = []
    started_ahead = None
    for day in range(days):
        run_date = (start + dt.timedelta(days=day)).isoformat()
        reporter = reporter_for_day(run_date)
        reporter.stage_started("generate", f"generator: day {day + 1}/{days} into raw/")
        started = time.monotonic()
        generated = generate(lake, days, customers, events_per_day, seed, defects=True, only_day=day)
        generate_seconds = round(time.monotonic() - started, 3)
        reporter.stage_finished("generate", {"seconds": generate_seconds})
        if started_ahead is None:
            started_ahead = start_ahead_of_first_run(generated["files"])
        record = run_lake_day(lake, run_date, reporter)
        facts = run_facts(record)
        facts["seconds"] = {"generate": generate_seconds, **facts["seconds"]}
        facts["files_generated"] = len(generated["files"])
        day_results.append(facts)
    out = lake / "_export"
    started = time.monotonic()
    exported = export_warehouse(lake, out)
    export_seconds = round(time.monotonic() - started, 3)
    started = time.monotonic()
    report = write_run_report(lake, lake / "report.html")
    return {
        "lake": str(lake),
        "started_ahead": started_ahead,
        "days": day_results,
        "export": {"out": str(out), "tables": exported, "seconds": export_seconds},
        "report": {"path": str(report), "seconds": round(time.monotonic() - started, 3)},
        "answers": answer_business_questions(out),
    }
