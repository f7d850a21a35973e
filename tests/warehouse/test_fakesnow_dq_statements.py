"""The data-quality checks on the Snowflake path (fakesnow, tests/warehouse/fakesnow_shims.py):
every check's counts in one SELECT (`SnowparkEngine.count_rows`), a sample read only for a
check that fails."""
from __future__ import annotations

from conftest import customer, event, plan, write_staging
from fakesnow_shims import fakesnow_backend, statement_log
from snowflake.snowpark import functions as F
from telco360.warehouse import pipeline, quality
from telco360.warehouse.seams import SnowparkEngine
from telco360.warehouse.tables import qualified_name


def sent(log) -> list[str]:
    """Statements other than DESCRIBE/SHOW and describe-only requests (benchmarks/snowflake_sql.py)."""
    return [s.text.strip() for s in log
            if not s.describe_only and not s.text.lstrip().upper().startswith(("DESCRIBE", "SHOW"))]


def load_one_day(session, lake) -> None:
    write_staging(lake, "R1", customers=[customer("C0000001", "2024-01-10 10:00")], plans=[plan("PLN-A")],
                  activity=[event("E1", "C0000001", "2024-01-11 00:00"), event("E2", "C0000009", "2024-01-11 00:00")])
    pipeline.run_pipeline(session, "2024-01-15", backend=fakesnow_backend(lake / "staging"))


def test_count_rows_counts_every_frame_and_condition_in_one_statement(fakesnow_wh):
    fakesnow_wh.sql(
        f"INSERT INTO {qualified_name('DIM_PLAN')} (PLAN_ID, IS_ACTIVE, IS_INFERRED) "
        "VALUES ('P1', TRUE, FALSE), ('P2', FALSE, TRUE), ('P2', FALSE, TRUE), (NULL, FALSE, FALSE)"
    ).collect()
    plans = fakesnow_wh.table(qualified_name("DIM_PLAN"))
    counts = {
        "rows": (plans, None),
        "active": (plans, F.col("IS_ACTIVE")),
        "inferred": (plans, F.col("IS_INFERRED")),
        "distinct_ids": (plans.select("PLAN_ID").distinct(), None),
        "rows_again": (plans, None),
    }
    with statement_log() as log:
        counted = SnowparkEngine().count_rows(counts)
    assert counted == {"rows": 4, "active": 1, "inferred": 2, "distinct_ids": 3, "rows_again": 4}
    assert len(sent(log)) == 1


def test_checks_of_a_sound_warehouse_take_one_statement(fakesnow_wh, tmp_path):
    load_one_day(fakesnow_wh, tmp_path)
    with statement_log() as log:
        results = quality.evaluate_checks(quality.read_warehouse_tables(fakesnow_wh))
    assert [r.check_name for r in results if r.failed and r.severity == quality.CRITICAL] == []
    assert [s.split()[0] for s in sent(log)] == ["SELECT"]


def test_a_failing_check_reads_its_sample_in_one_more_statement(fakesnow_wh, tmp_path):
    load_one_day(fakesnow_wh, tmp_path)
    fakesnow_wh.sql(
        f"INSERT INTO {qualified_name('DIM_PLAN')} (PLAN_ID, IS_ACTIVE, IS_INFERRED) VALUES ('PLN-A', FALSE, TRUE)"
    ).collect()
    with statement_log() as log:
        results = {r.check_name: r for r in quality.evaluate_checks(quality.read_warehouse_tables(fakesnow_wh))}
    duplicated = results["unique:DIM_PLAN.PLAN_ID"]
    assert (duplicated.status, duplicated.failing_rows, "PLN-A" in duplicated.detail) == (quality.FAIL, 1, True)
    assert len(sent(log)) == 2
