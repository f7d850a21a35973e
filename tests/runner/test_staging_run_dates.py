"""Which RUN_DATE a staging snapshot is made for (`lake.staging_run_date`), and the local
catch-up loading each pending snapshot under its own run date, never under the run's."""
from __future__ import annotations

import datetime as dt
import json

from telco360 import lake
from telco360.runner.asl import LOCAL_SUBSTITUTIONS
from telco360.runner.day_run import LocalServices, run_lake_day

LATE_EVENING = dt.datetime(2024, 1, 16, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def test_run_id_beginning_with_a_date_is_made_for_that_date():
    assert lake.staging_run_date("2024-01-15_20240117T010203000000Z", LATE_EVENING) == "2024-01-15"


def test_run_id_without_a_date_is_made_for_the_utc_date_it_ran():
    assert lake.staging_run_date("3f0c9a2e-6b1d-4c55-9a0e-1f2a3b4c5d6e", LATE_EVENING) == "2024-01-17"


def test_run_id_with_digits_that_are_no_date_is_made_for_the_utc_date_it_ran():
    assert [lake.staging_run_date(r, LATE_EVENING) for r in ("2024-13-45_x", "2024-01-150")] == ["2024-01-17"] * 2


def test_catch_up_loads_each_pending_snapshot_under_the_run_date_it_was_made_for(tmp_path):
    staging = tmp_path / "staging"
    (staging / "_bookmarks").mkdir(parents=True)
    (staging / "_manifests").mkdir()
    made_for = {"2024-01-14_r1": "2024-01-14", "2024-01-15_r2": "2024-01-15", "r-old": None}
    (staging / "_bookmarks" / "staging_job.json").write_text(
        json.dumps({"staged_clean_runs": [], "completed_runs": list(made_for)}))
    for run_id, run_date in made_for.items():
        manifest = {"run_id": run_id, "tables": {}, **({"run_date": run_date} if run_date else {})}
        (staging / "_manifests" / f"{run_id}.json").write_text(json.dumps(manifest))
    loads = []

    def load_warehouse(lake_dir, run_date):
        loads.append((json.loads((staging / "_manifest.json").read_text())["run_id"], run_date))
        return {"status": "SUCCEEDED"}

    jobs = {LOCAL_SUBSTITUTIONS[name]: (lambda argv: {}) for name in ("CleanJobName", "StagingJobName")}
    services = LocalServices(validate=lambda lake_dir, day: {"archived": [], "rejected": [], "errors": [], "counts": {}},
                             jobs=jobs, load_warehouse=load_warehouse, staging_runs_loaded=lambda lake_dir: set())

    run_lake_day(tmp_path, "2024-01-17", services=services)

    # A manifest of older code (no run date) is loaded under the run's date, as before.
    assert loads == [("2024-01-14_r1", "2024-01-14"), ("2024-01-15_r2", "2024-01-15"), ("r-old", "2024-01-17"),
                     ("r-old", "2024-01-17")]
