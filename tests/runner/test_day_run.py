"""`c360 run`'s day run with stub services: stage order, failures, catch-up, lock, records."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from telco360.cli import main as c360
from telco360.runner.asl import LOCAL_SUBSTITUTIONS
from telco360.runner.day_run import LocalServices, RunFailed, run_lake_day
from telco360.runner.lock import LakeBusyError, lake_lock
from telco360.runner.records import read_run_records

CLEAN = LOCAL_SUBSTITUTIONS["CleanJobName"]
STAGING = LOCAL_SUBSTITUTIONS["StagingJobName"]
VALIDATED = {"archived": [], "rejected": [], "errors": [], "counts": {}}


def stub_services(calls: list, failing_job: str | None = None, loaded: set[str] | None = None,
                  warehouse_error: Exception | None = None) -> LocalServices:
    def job(name):
        def main(argv):
            calls.append(name)
            if name == failing_job:
                raise RuntimeError(f"{name}: archive/customers/customers_20240115.ndjson unreadable")
            return {"job": name}
        return main

    def load_warehouse(lake, run_date):
        calls.append("warehouse")
        if warehouse_error:
            raise warehouse_error
        return {"status": "SUCCEEDED", "steps": {}}

    def validate(lake, run_date):
        calls.append("validate")
        return VALIDATED

    return LocalServices(validate=validate, jobs={CLEAN: job(CLEAN), STAGING: job(STAGING)},
                         load_warehouse=load_warehouse, staging_runs_loaded=lambda lake: loaded or set())


def write_manifest(lake: Path, run_id: str) -> None:
    (lake / "staging").mkdir(parents=True, exist_ok=True)
    (lake / "staging" / "_manifest.json").write_text(json.dumps({"run_id": run_id, "tables": {}}))


def test_stages_run_in_order_validate_jobs_warehouse(tmp_path):
    calls = []

    record = run_lake_day(tmp_path, "2024-01-15", services=stub_services(calls))

    assert calls == ["validate", CLEAN, STAGING, "warehouse"]
    assert list(record["stages"]) == ["validate", "lake_jobs", "warehouse"]
    assert record["status"] == "SUCCEEDED"


def test_failed_glue_job_names_the_step_and_never_loads_the_warehouse(tmp_path):
    calls = []

    with pytest.raises(RunFailed) as failure:
        run_lake_day(tmp_path, "2024-01-15", services=stub_services(calls, failing_job=CLEAN))

    assert calls == ["validate", CLEAN]
    assert failure.value.step == "lake_jobs"
    assert f"Glue job {CLEAN} FAILED" in str(failure.value)
    assert "run `c360 run` again" in str(failure.value)


def test_failed_run_leaves_a_record_naming_the_failed_step(tmp_path):
    with pytest.raises(RunFailed):
        run_lake_day(tmp_path, "2024-01-15", services=stub_services([], failing_job=STAGING))

    [record] = read_run_records(tmp_path)
    assert (record["status"], record["failed_step"]) == ("FAILED", "lake_jobs")
    assert record["stages"]["lake_jobs"]["status"] == "FAILED"


def test_unloaded_staging_snapshot_is_loaded_before_anything_else(tmp_path):
    write_manifest(tmp_path, "2024-01-14_r1")
    calls = []

    record = run_lake_day(tmp_path, "2024-01-15", services=stub_services(calls, loaded={"2024-01-13_r0"}))

    assert calls == ["warehouse", "validate", CLEAN, STAGING, "warehouse"]
    assert record["stages"]["warehouse_catch_up"]["summary"]["staging_run_ids"] == ["2024-01-14_r1"]


def test_loaded_staging_snapshot_needs_no_catch_up(tmp_path):
    write_manifest(tmp_path, "2024-01-14_r1")
    calls = []

    run_lake_day(tmp_path, "2024-01-15", services=stub_services(calls, loaded={"2024-01-14_r1"}))

    assert calls[0] == "validate"


def test_warehouse_failure_reports_the_warehouse_step(tmp_path):
    with pytest.raises(RunFailed) as failure:
        run_lake_day(tmp_path, "2024-01-15",
                     services=stub_services([], warehouse_error=RuntimeError("SP_LOAD_DIM_CUSTOMER broke")))

    assert failure.value.step == "warehouse"
    assert "SP_LOAD_DIM_CUSTOMER broke" in str(failure.value)


def test_second_run_on_a_locked_lake_is_refused(tmp_path):
    calls = []

    with lake_lock(tmp_path, "c360 run --date 2024-01-14"):
        with pytest.raises(LakeBusyError, match="c360 run --date 2024-01-14"):
            run_lake_day(tmp_path, "2024-01-15", services=stub_services(calls))

    assert calls == []


def test_lock_is_released_after_a_failed_run(tmp_path):
    with pytest.raises(RunFailed):
        run_lake_day(tmp_path, "2024-01-15", services=stub_services([], failing_job=CLEAN))

    with lake_lock(tmp_path, "next"):
        pass


def test_c360_run_exits_3_when_the_lake_is_busy(tmp_path, capsys):
    with lake_lock(tmp_path, "c360 run --date 2024-01-14"):
        code = c360(["run", "--lake", str(tmp_path), "--date", "2024-01-15", "--quiet"])

    assert code == 3
    assert "is in use by c360 run --date 2024-01-14" in capsys.readouterr().err


def test_c360_run_exits_2_on_a_missing_lake(tmp_path, capsys):
    code = c360(["run", "--lake", str(tmp_path / "nowhere"), "--quiet"])

    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_hidden_info_logs_come_back_after_the_command():
    import logging

    from telco360.commands.progress import hidden_log_level, logs_hidden

    with logs_hidden(hidden_log_level(quiet=False, as_json=False)):
        logger = logging.getLogger("telco360.test")
        assert (logger.isEnabledFor(logging.INFO), logger.isEnabledFor(logging.WARNING)) == (False, True)

    assert logging.root.manager.disable == logging.NOTSET


def test_quiet_hides_warnings_and_keeps_errors():
    import logging

    from telco360.commands.progress import hidden_log_level, logs_hidden

    with logs_hidden(hidden_log_level(quiet=True, as_json=False)):
        logger = logging.getLogger("telco360.test")
        assert (logger.isEnabledFor(logging.WARNING), logger.isEnabledFor(logging.ERROR)) == (False, True)


@pytest.mark.parametrize("as_json", [False, True])
def test_demo_hides_its_on_purpose_warnings_unless_json(monkeypatch, capsys, tmp_path, as_json):
    import logging

    from telco360.commands import demo_summary
    from telco360.logs import get_logger, log_event
    from telco360.runner import demo

    def fake_demo(lake, days, customers, events_per_day, reporter_for_day):
        logger = get_logger(f"telco360.test_demo_logs_{as_json}")
        log_event(logger, "rejected: a defect on purpose", level=logging.WARNING)
        log_event(logger, "something broke", level=logging.ERROR)
        return {"days": []}

    monkeypatch.setattr(demo, "run_demo", fake_demo)
    monkeypatch.setattr(demo_summary, "print_demo_summary", lambda result, console: None)

    assert c360(["demo", "--lake", str(tmp_path / "lake"), *(["--json"] if as_json else [])]) == 0
    err = capsys.readouterr().err
    assert "something broke" in err
    assert ("a defect on purpose" in err) == as_json


def test_progress_lines_are_not_wrapped_in_a_log(capsys):
    from telco360.commands.progress import RichReporter

    title = "warehouse: SP_RUN_CUSTOMER360_PIPELINE, then SP_REFRESH_MARTS"
    reporter = RichReporter(prefix="2024-01-15 ")
    reporter.stage_started("warehouse", title)
    reporter.stage_finished("warehouse", {"seconds": 11.8})
    reporter.close()

    assert f"2024-01-15 done {title} (11.8 s)" in capsys.readouterr().err.splitlines()


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    from telco360.runner.demo import DemoError, prepare_demo_lake

    (tmp_path / "precious.txt").write_text("keep me")

    with pytest.raises(DemoError, match="not made by c360 demo"):
        prepare_demo_lake(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_demo_clears_the_lake_a_previous_demo_made(tmp_path):
    from telco360.runner.demo import prepare_demo_lake

    prepare_demo_lake(tmp_path / "lake")
    (tmp_path / "lake" / "raw").mkdir()

    prepare_demo_lake(tmp_path / "lake")

    assert sorted(p.name for p in (tmp_path / "lake").iterdir()) == [".c360-demo"]
