"""SP_LOAD_STAGING(RUN_DATE) loads the staging snapshot made for RUN_DATE, never another day's
under its name: the latest manifest when it is that day's, else the day's own manifest
(`staging/_manifests/by_run_date/<D>.json`), else a clear error. Both sides of the seam: the
local reader, the Snowflake reader's statements, and the Snowflake reader on fakesnow."""
from __future__ import annotations

import json

import pytest
from snowflake.snowpark import Row

from conftest import customer, plan, rows, write_staging
from telco360.warehouse import seams, steps
from telco360.warehouse.seams import SnowflakeStagingReader, StagingError

D1, D2 = "2024-01-15", "2024-01-16"


def make_snapshot(lake, run_id: str, run_date: str | None, plan_id: str) -> dict:
    """Job B's output for one run made for `run_date` (None: a manifest of older code, which
    recorded no run date): the latest manifest, and the run date's own."""
    write_staging(lake, run_id, customers=[customer("C0000001", f"{D1} 09:00")], plans=[plan(plan_id)])
    latest = lake / "staging" / "_manifest.json"
    manifest = json.loads(latest.read_text())
    if run_date is not None:
        manifest["run_date"] = run_date
        own = lake / "staging" / "_manifests" / "by_run_date" / f"{run_date}.json"
        own.parent.mkdir(parents=True, exist_ok=True)
        own.write_text(json.dumps(manifest))
    latest.write_text(json.dumps(manifest))
    return manifest


def staged_plans(session) -> list[str]:
    return [r["PLAN_ID"] for r in rows(session, "STG_PLANS")]


def test_load_of_an_earlier_day_loads_that_days_snapshot_not_the_latest(wh, tmp_path):
    make_snapshot(tmp_path, f"{D1}_r1", D1, "PLN-DAY1")
    make_snapshot(tmp_path, f"{D2}_r2", D2, "PLN-DAY2")

    summary = steps.load_staging(wh, D1)

    assert (summary["staging_run_id"], staged_plans(wh)) == (f"{D1}_r1", ["PLN-DAY1"])


def test_load_of_the_latest_day_loads_the_latest_snapshot(wh, tmp_path):
    make_snapshot(tmp_path, f"{D1}_r1", D1, "PLN-DAY1")
    make_snapshot(tmp_path, f"{D2}_r2", D2, "PLN-DAY2")

    assert steps.load_staging(wh, D2)["staging_run_id"] == f"{D2}_r2"


def test_load_of_a_day_without_snapshot_fails_naming_what_it_found(wh, tmp_path):
    make_snapshot(tmp_path, f"{D2}_r2", D2, "PLN-DAY2")

    with pytest.raises(StagingError) as failure:
        steps.load_staging(wh, D1)

    message = str(failure.value)
    assert f"RUN_DATE {D1}" in message and f"run {D2}_r2 made for RUN_DATE {D2}" in message
    assert f"_manifests/by_run_date/{D1}.json not found" in message
    assert staged_plans(wh) == []


def test_manifest_of_older_code_without_run_date_loads_under_any_run_date(wh, tmp_path):
    make_snapshot(tmp_path, "r-old", None, "PLN-OLD")

    assert steps.load_staging(wh, D2)["staging_run_id"] == "r-old"


def test_run_date_that_is_not_a_date_is_refused_before_any_read(wh, tmp_path):
    make_snapshot(tmp_path, f"{D1}_r1", D1, "PLN-DAY1")

    with pytest.raises(StagingError, match=r"RUN_DATE '2024-01-15/../x' is not a date \(YYYY-MM-DD\)"):
        steps.load_staging(wh, "2024-01-15/../x")


# --- the Snowflake reader: which files it reads from the stage -----------------------------


class StageSession:
    """Answers `SELECT $1 FROM @stage/<name>` with the JSON stored under <name>, no rows when
    there is none (as Snowflake answers a missing path); records each statement."""

    def __init__(self, files: dict[str, dict]):
        self.files = files
        self.statements = []

    def sql(self, statement):
        self.statements.append(statement)
        name = statement.split("STAGING_STAGE/", 1)[1].split(" ", 1)[0]
        answer = [Row(json.dumps(self.files[name]))] if name in self.files else []
        return type("Result", (), {"collect": lambda _self: answer})()


def stage_read(name: str) -> str:
    return (f"SELECT $1 FROM @TELCO_DB.STAGING.STAGING_STAGE/{name} "
            f"(FILE_FORMAT => 'TELCO_DB.STAGING.MANIFEST_JSON_FORMAT')")


def test_snowflake_reader_reads_only_the_latest_manifest_when_it_is_the_days():
    session = StageSession({"_manifest.json": {"run_id": "R2", "run_date": D2, "tables": {}}})

    assert SnowflakeStagingReader().read_manifest(session, D2)["run_id"] == "R2"
    assert session.statements == [stage_read("_manifest.json")]


def test_snowflake_reader_reads_the_days_own_manifest_when_a_later_run_took_the_latest():
    session = StageSession({
        "_manifest.json": {"run_id": "R2", "run_date": D2, "tables": {}},
        f"_manifests/by_run_date/{D1}.json": {"run_id": "R1", "run_date": D1, "tables": {}},
    })

    assert SnowflakeStagingReader().read_manifest(session, D1)["run_id"] == "R1"
    assert session.statements == [stage_read("_manifest.json"), stage_read(f"_manifests/by_run_date/{D1}.json")]


def test_snowflake_reader_fails_when_neither_manifest_is_the_days():
    session = StageSession({"_manifest.json": {"run_id": "R2", "run_date": D2, "tables": {}}})

    with pytest.raises(StagingError, match=rf"STAGING_STAGE/_manifest.json is run R2 made for RUN_DATE {D2}, "
                                           rf"and @TELCO_DB.STAGING.STAGING_STAGE/_manifests/by_run_date/{D1}.json not found"):
        SnowflakeStagingReader().read_manifest(session, D1)


# --- the Snowflake reader executing on fakesnow ---------------------------------------------


def test_snowflake_reader_on_fakesnow_loads_the_days_snapshot(fakesnow_wh, tmp_path):
    from fakesnow_shims import InsertStagingReader

    make_snapshot(tmp_path, f"{D1}_r1", D1, "PLN-DAY1")
    make_snapshot(tmp_path, f"{D2}_r2", D2, "PLN-DAY2")
    backend = seams.Backend(InsertStagingReader(tmp_path / "staging"), seams.MergeWriter(), seams.SnowflakeTransaction())

    summary = steps.load_staging(fakesnow_wh, D1, backend=backend)

    loaded = [r[0] for r in fakesnow_wh.sql("SELECT PLAN_ID FROM TELCO_DB.STAGING.STG_PLANS").collect()]
    assert (summary["staging_run_id"], loaded) == (f"{D1}_r1", ["PLN-DAY1"])
