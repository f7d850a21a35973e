"""Crash injection end to end (issue #18): one day's run is stopped at a stage, again and
again, each rerun dying at the next point; the final rerun must leave the same warehouse
and zones as one uninterrupted run of the same files, and no temp leftovers.

A "kill" here is an exception no handler of the pipeline catches (BaseException), raised
in-process so the test shares one SparkSession. Unlike SIGKILL it lets `finally` blocks
run; what a real kill leaves behind beyond that is covered by the leftover patterns
(tests/runner/test_recovery.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from telco360 import contract, lake as lake_layout
from telco360.validator import local as validator_local
from telco360.generator import DEFAULT_START_DATE, generate
from telco360.runner.day_run import run_lake_day
from telco360.spark import clean_run, staging_run
from telco360.warehouse.local import session as local
from telco360.warehouse.local.session import read_saved_table

pytestmark = [pytest.mark.spark, pytest.mark.slow]

RUN_DATE = dt.date.fromisoformat(DEFAULT_START_DATE).isoformat()
COMPARED_TABLES = ("DIM_PLAN", "DIM_CUSTOMER", "FACT_ACTIVITY", "CUSTOMER_STATE_HISTORY")


class Killed(BaseException):
    """The process died here."""


def after_nth_call(function, n: int, when=lambda *args, **kwargs: True):
    """`function`, which dies right after its n-th call that `when` selects."""
    calls = []

    def wrapped(*args, **kwargs):
        result = function(*args, **kwargs)
        if when(*args, **kwargs):
            calls.append(1)
            if len(calls) == n:
                raise Killed(getattr(function, "__name__", "call"))
        return result

    return wrapped


def before_nth_call(function, n: int):
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise Killed(getattr(function, "__name__", "call"))
        return function(*args, **kwargs)

    return wrapped


KILL_POINTS = {
    "validator, between copy and rename of its 3rd file": lambda patch: patch.setattr(
        validator_local.os, "replace", before_nth_call(validator_local.os.replace, 3)),
    "Job A, after writing its first partitions": lambda patch: patch.setattr(
        clean_run, "write_partitions", after_nth_call(clean_run.write_partitions, 1)),
    "Job A, right after its bookmark commit": lambda patch: patch.setattr(
        clean_run, "write_json", after_nth_call(clean_run.write_json, 1, lambda _s, key, _v: key == clean_run.BOOKMARK_KEY)),
    "Job B, after its run manifest, before its commit": lambda patch: patch.setattr(
        staging_run, "write_json", after_nth_call(staging_run.write_json, 1, lambda _s, key, _v: key.startswith(staging_run.MANIFESTS))),
    "warehouse save, after its 3rd table file": lambda patch: patch.setattr(
        local.pq, "write_table", after_nth_call(local.pq.write_table, 3)),
}


def zone_digests(lake: Path) -> dict[str, str]:
    return {p.relative_to(lake).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for zone in (contract.ARCHIVE, contract.REJECTED) for p in sorted((lake / zone).rglob("*")) if p.is_file()}


def clean_rows(lake: Path) -> dict[str, list]:
    """Every clean and quarantined row, without the run that wrote it."""
    found = {}
    for root in ("", f"{contract.QUARANTINE}/"):
        for dataset in contract.DATASETS:
            files = sorted((lake / contract.CLEAN / f"{root}{dataset}").rglob("*.parquet"))
            rows = [repr(sorted(row.items())) for f in files for row in pq.read_table(f).to_pylist()]
            found[f"{root}{dataset}"] = sorted(rows)
    return found


def dw_rows(lake: Path) -> dict[str, list]:
    return {table: sorted(repr(sorted((k, v) for k, v in row.items() if k != "LOADED_AT"))
                          for row in read_saved_table(lake, table).to_pylist())
            for table in COMPARED_TABLES}


def day_lake(root: Path) -> Path:
    generate(root, 1, customers=12, events_per_day=40, seed=5, defects=True, only_day=0)
    return root


@pytest.fixture(scope="module")
def lakes(spark, tmp_path_factory):
    uninterrupted = day_lake(tmp_path_factory.mktemp("uninterrupted"))
    run_lake_day(uninterrupted, RUN_DATE)
    crashed = day_lake(tmp_path_factory.mktemp("crashed"))
    deaths = []
    for point, arm in KILL_POINTS.items():
        with pytest.MonkeyPatch.context() as patch:
            arm(patch)
            try:
                run_lake_day(crashed, RUN_DATE)
            except Killed:
                deaths.append(point)
    final = run_lake_day(crashed, RUN_DATE)
    return uninterrupted, crashed, deaths, final


def test_every_kill_point_was_reached(lakes):
    assert lakes[2] == list(KILL_POINTS)


def test_final_rerun_succeeds(lakes):
    assert lakes[3]["status"] == "SUCCEEDED"


def test_warehouse_equals_the_uninterrupted_runs(lakes):
    uninterrupted, crashed, _, _ = lakes
    assert dw_rows(crashed) == dw_rows(uninterrupted)


def test_archive_and_rejected_equal_the_uninterrupted_runs(lakes):
    uninterrupted, crashed, _, _ = lakes
    assert zone_digests(crashed) == zone_digests(uninterrupted)
    assert not [p for p in (crashed / contract.RAW).rglob("*") if p.is_file()]


def test_clean_zone_equals_the_uninterrupted_runs(lakes):
    uninterrupted, crashed, _, _ = lakes
    assert clean_rows(crashed) == clean_rows(uninterrupted)


def test_no_temp_leftovers_remain(lakes):
    _, crashed, _, _ = lakes
    assert [p for pattern in lake_layout.DEAD_RUN_LEFTOVERS for p in crashed.glob(pattern)
            if p.is_file() or any(p.iterdir())] == []


def test_warehouse_moved_aside_is_rebuilt_by_the_next_run(lakes, tmp_path):
    """The way back the damaged-file message gives: without `_warehouse/`, the catch-up loads
    every staging run Job B committed, and the warehouse is the same again."""
    uninterrupted = lakes[0]
    before = dw_rows(uninterrupted)
    for folder in (local.WAREHOUSE_DIR, local.PREVIOUS_DIR):
        if (uninterrupted / folder).exists():
            (uninterrupted / folder).rename(tmp_path / folder)

    record = run_lake_day(uninterrupted, RUN_DATE)

    assert record["stages"]["warehouse_catch_up"]["status"] == "SUCCEEDED"
    assert dw_rows(uninterrupted) == before
