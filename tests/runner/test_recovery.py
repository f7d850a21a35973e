"""`c360 run` after a crash or with damaged state (issue #18 items 3, 8, 9): no day is
skipped, damaged files are named with what to do, a dead run's leftovers are removed."""
from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest

from telco360.cli import main as c360
from telco360.runner.day_run import LocalServices, RunFailed, run_lake_day, staging_runs_loaded
from telco360.runner.asl import LOCAL_SUBSTITUTIONS
from telco360.runner.lock import LOCK_FILE

CLEAN = LOCAL_SUBSTITUTIONS["CleanJobName"]
STAGING = LOCAL_SUBSTITUTIONS["StagingJobName"]
VALIDATED = {"archived": [], "rejected": [], "errors": [], "counts": {}}


def stub_services(calls: list, loaded: set[str] = frozenset(), runs_loaded=None) -> LocalServices:
    def job(name):
        def main(argv):
            calls.append(name)
            return {"job": name}
        return main

    def load_warehouse(lake, run_date):
        manifest = lake / "staging" / "_manifest.json"
        calls.append(("warehouse", json.loads(manifest.read_text())["run_id"] if manifest.is_file() else None))
        return {"status": "SUCCEEDED", "steps": {}}

    def validate(lake, run_date):
        calls.append("validate")
        return VALIDATED

    return LocalServices(validate=validate, jobs={CLEAN: job(CLEAN), STAGING: job(STAGING)},
                         load_warehouse=load_warehouse,
                         staging_runs_loaded=runs_loaded or (lambda lake: set(loaded)))


def commit_staging_runs(lake: Path, *run_ids: str, manifests: bool = True) -> None:
    """What Job B leaves for each run: a per-run manifest and its bookmark entry."""
    staging = lake / "staging"
    (staging / "_bookmarks").mkdir(parents=True, exist_ok=True)
    (staging / "_bookmarks" / "staging_job.json").write_text(
        json.dumps({"staged_clean_runs": [], "completed_runs": list(run_ids)}))
    if manifests:
        (staging / "_manifests").mkdir(exist_ok=True)
        for run_id in run_ids:
            (staging / "_manifests" / f"{run_id}.json").write_text(json.dumps({"run_id": run_id, "tables": {}}))


# --- item 3: a missing staging/_manifest.json never hides an unloaded day ------------------

def test_unloaded_run_is_found_from_job_b_manifests_when_the_latest_manifest_is_missing(tmp_path):
    commit_staging_runs(tmp_path, "2024-01-14_r0", "2024-01-15_r1")
    calls = []

    run_lake_day(tmp_path, "2024-01-16", services=stub_services(calls, loaded={"2024-01-14_r0"}))

    assert calls[:2] == [("warehouse", "2024-01-15_r1"), "validate"]


def test_every_unloaded_run_is_loaded_oldest_first(tmp_path):
    commit_staging_runs(tmp_path, "2024-01-15_r1", "2024-01-14_r2", "2024-01-16_r3")
    calls = []

    record = run_lake_day(tmp_path, "2024-01-17", services=stub_services(calls, loaded={"2024-01-15_r1"}))

    assert calls[:3] == [("warehouse", "2024-01-14_r2"), ("warehouse", "2024-01-16_r3"), "validate"]
    assert record["stages"]["warehouse_catch_up"]["summary"]["staging_run_ids"] == ["2024-01-14_r2", "2024-01-16_r3"]


def test_committed_run_whose_manifest_is_lost_fails_clearly_before_anything_runs(tmp_path):
    commit_staging_runs(tmp_path, "2024-01-15_r1", manifests=False)
    calls = []

    with pytest.raises(RunFailed) as failure:
        run_lake_day(tmp_path, "2024-01-16", services=stub_services(calls))

    assert calls == []
    assert failure.value.step == "warehouse_catch_up"
    assert "staging/_manifests/2024-01-15_r1.json" in str(failure.value)


# --- item 8: damaged state files get a message naming the file and what to do -------------

def test_truncated_run_log_fails_the_run_naming_the_file(tmp_path):
    log = tmp_path / "_warehouse" / "DW" / "PIPELINE_RUN_LOG.parquet"
    log.parent.mkdir(parents=True)
    log.write_bytes(b"PAR1\x00\x01truncated")
    commit_staging_runs(tmp_path, "2024-01-15_r1")

    with pytest.raises(RunFailed) as failure:
        run_lake_day(tmp_path, "2024-01-16", services=stub_services([], runs_loaded=staging_runs_loaded))

    assert str(log) in str(failure.value)
    assert "c360 run" in str(failure.value).split(str(log), 1)[1]


def test_truncated_run_log_exits_1_with_one_paragraph(tmp_path, capsys, monkeypatch):
    from telco360.runner import day_run

    log = tmp_path / "_warehouse" / "DW" / "PIPELINE_RUN_LOG.parquet"
    log.parent.mkdir(parents=True)
    log.write_bytes(b"PAR1\x00\x01truncated")
    commit_staging_runs(tmp_path, "2024-01-15_r1")
    monkeypatch.setattr(day_run, "real_services", lambda: stub_services([], runs_loaded=staging_runs_loaded))

    assert c360(["run", "--lake", str(tmp_path), "--date", "2024-01-16", "--quiet"]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_garbage_in_a_held_lock_file_gives_the_refusal_with_exit_3(tmp_path, capsys):
    path = tmp_path / LOCK_FILE
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    with open(path, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

        assert c360(["run", "--lake", str(tmp_path), "--date", "2024-01-16", "--quiet"]) == 3
    assert "in use by" in capsys.readouterr().err


# --- item 9: the next run removes what a dead run left (only temp patterns) ----------------

LEFTOVERS = [
    "_tmp/validator/0123abcd.partial",
    "_warehouse.tmp-1a2b3c4d/DW/DIM_CUSTOMER.parquet",
    "clean/customers/.spark-staging-5e6f/ingest_date=2024-01-15/part-0.parquet",
    "clean/_quarantine/activity_logs/.spark-staging-7a8b/part-0.parquet",
    "staging/customers/run_id=2024-01-15_r1/_temporary/0/part-0.parquet",
    "clean/_bookmarks/.clean_job.json.k2j3h4.tmp",
    "staging/.manifest.json.x9y8.tmp",
]
KEPT = [
    "raw/customers/_temporary/customers_20240116.ndjson",
    "archive/customers/ingest_date=2024-01-15/customers_20240115.ndjson",
    "clean/customers/ingest_date=2024-01-15/clean_run_id=r1/part-0.parquet",
    "staging/customers/run_id=2024-01-15_r1/part-0.parquet",
    "_warehouse/DW/DIM_CUSTOMER.parquet",
]


def test_next_run_removes_a_dead_runs_temp_leftovers_and_nothing_else(tmp_path):
    for key in LEFTOVERS + KEPT:
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(b"x")

    record = run_lake_day(tmp_path, "2024-01-16", services=stub_services([]))

    assert [key for key in LEFTOVERS + KEPT if (tmp_path / key).exists()] == KEPT
    assert len(record["removed_leftovers"]) == len(LEFTOVERS)
