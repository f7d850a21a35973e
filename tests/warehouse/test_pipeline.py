"""SP_RUN_CUSTOMER360_PIPELINE: staging to DW in one unit, audited, rolled back on failure;
local persistence between runs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from conftest import HIGH, customer, event, plan, rows, write_staging
from telco360.warehouse import pipeline
from telco360.warehouse.local import arrow
from telco360.warehouse.local.session import open_local_warehouse, save_local_warehouse
from telco360.warehouse.local.arrow import arrow_schema, write_arrow_table
from telco360.runner import handlers
from telco360.warehouse.local.backend import LocalRewriteWriter, LocalStagingReader
from telco360.warehouse.seams import Backend

C1 = "C0000001"


class RecordingTransaction:
    def __init__(self):
        self.calls = []

    def begin(self, session):
        self.calls.append("BEGIN")

    def commit(self, session):
        self.calls.append("COMMIT")

    def rollback(self, session):
        self.calls.append("ROLLBACK")


def stage_one_day(lake):
    write_staging(lake, "R1", customers=[customer(C1, "2024-01-10 10:00")], plans=[plan("PLN-A")],
                  activity=[event("E1", C1, "2024-01-11 00:00")])


def test_pipeline_loads_staging_into_the_dw_and_audits_every_step(tmp_path):
    stage_one_day(tmp_path)
    session = open_local_warehouse(tmp_path)
    summary = pipeline.run_pipeline(session, "2024-01-15", run_id="RUN-1")
    audit = [(r["RUN_ID"], r["STEP"], r["STATUS"], r["ROWS_IN"], r["ROWS_INSERTED"]) for r in rows(session, "PIPELINE_RUN_LOG")]
    assert audit == [
        ("RUN-1", "SP_LOAD_STAGING", "SUCCEEDED", 3, None),
        ("RUN-1", "SP_LOAD_DIM_PLAN", "SUCCEEDED", 1, 1),
        ("RUN-1", "SP_LOAD_DIM_CUSTOMER", "SUCCEEDED", 1, 2),
        ("RUN-1", "SP_LOAD_FACT_ACTIVITY", "SUCCEEDED", 1, 1),
        ("RUN-1", "PIPELINE", "SUCCEEDED", None, None),
    ]
    assert summary["staging_run_id"] == "R1"


def test_procedure_handler_returns_the_run_summary_as_json(tmp_path):
    stage_one_day(tmp_path)
    session = open_local_warehouse(tmp_path)
    handler = handlers.procedure("run_pipeline.py", "sp_run_customer360_pipeline")
    assert '"status": "SUCCEEDED"' in handler(session, "2024-01-15")


def test_pipeline_commits_once_on_success(tmp_path):
    stage_one_day(tmp_path)
    session = open_local_warehouse(tmp_path)
    transaction = RecordingTransaction()
    backend = Backend(LocalStagingReader(tmp_path / "staging"), LocalRewriteWriter(), transaction)
    pipeline.run_pipeline(session, "2024-01-15", backend=backend)
    assert transaction.calls == ["BEGIN", "COMMIT"]


def test_failed_step_rolls_back_and_names_the_step_and_file(tmp_path):
    session = open_local_warehouse(tmp_path)
    transaction = RecordingTransaction()
    backend = Backend(LocalStagingReader(tmp_path / "staging"), LocalRewriteWriter(), transaction)
    with pytest.raises(pipeline.PipelineError, match=r"failed at SP_LOAD_STAGING .*_manifest.json not found"):
        pipeline.run_pipeline(session, "2024-01-15", backend=backend)
    assert transaction.calls == ["BEGIN", "ROLLBACK"]
    assert [(r["STEP"], r["STATUS"]) for r in rows(session, "PIPELINE_RUN_LOG")] == [
        ("SP_LOAD_STAGING", "FAILED"), ("PIPELINE", "FAILED")]


def test_failing_post_load_check_fails_the_run(tmp_path, monkeypatch):
    stage_one_day(tmp_path)
    session = open_local_warehouse(tmp_path)
    monkeypatch.setattr(pipeline, "POST_LOAD_CHECKS", [lambda s, d, r: {"check": "always_fails", "passed": False}])
    with pytest.raises(pipeline.PipelineError, match="always_fails"):
        pipeline.run_pipeline(session, "2024-01-15")


def test_critical_data_quality_failure_fails_the_run_before_commit(tmp_path):
    stage_one_day(tmp_path)
    session = open_local_warehouse(tmp_path)
    duplicated = [{**row, "LOADED_AT": HIGH} for row in pipeline_plan_rows("PLN-OLD", "PLN-OLD")]
    write_arrow_table(session, "DIM_PLAN", pa.Table.from_pylist(duplicated, schema=arrow_schema("DIM_PLAN")))
    with pytest.raises(pipeline.PipelineError, match=r"data_quality \(unique:DIM_PLAN.PLAN_ID"):
        pipeline.run_pipeline(session, "2024-01-15")
    failed = [r["STEP"] for r in rows(session, "PIPELINE_RUN_LOG") if r["STATUS"] == "FAILED"]
    assert failed == ["POST_LOAD_CHECKS", "PIPELINE"]


def pipeline_plan_rows(*plan_ids: str) -> list[dict]:
    columns = ("PLAN_ID", "PLAN_NAME", "PLAN_TYPE", "MONTHLY_FEE", "CURRENCY", "CONTRACT_MONTHS", "SOURCE_UPDATED_AT")
    return [{c: plan(pid)[c] for c in columns} | {"IS_ACTIVE": True, "IS_INFERRED": False} for pid in plan_ids]


def test_staging_row_count_differing_from_manifest_fails(tmp_path):
    stage_one_day(tmp_path)
    manifest = tmp_path / "staging" / "_manifest.json"
    manifest.write_text(manifest.read_text().replace('"rows": 1', '"rows": 5', 1))
    session = open_local_warehouse(tmp_path)
    with pytest.raises(pipeline.PipelineError, match="announces 5"):
        pipeline.run_pipeline(session, "2024-01-15")


def test_saved_warehouse_is_restored_by_the_next_run_with_year_9999(tmp_path):
    stage_one_day(tmp_path)
    session = open_local_warehouse(tmp_path)
    pipeline.run_pipeline(session, "2024-01-15")
    before = {t: rows(session, t) for t in ("DIM_CUSTOMER", "DIM_PLAN", "FACT_ACTIVITY", "CUSTOMER_STATE_HISTORY")}
    save_local_warehouse(session, tmp_path)
    restored = open_local_warehouse(tmp_path)
    assert {t: rows(restored, t) for t in before} == before
    assert HIGH in [r["EFFECTIVE_TO"] for r in before["DIM_CUSTOMER"]]


def test_save_interrupted_between_renames_restores_the_previous_state(tmp_path):
    stage_one_day(tmp_path)
    session = open_local_warehouse(tmp_path)
    pipeline.run_pipeline(session, "2024-01-15")
    save_local_warehouse(session, tmp_path)
    (tmp_path / "_warehouse").rename(tmp_path / "_warehouse.previous")
    restored = open_local_warehouse(tmp_path)
    assert [r["CUSTOMER_ID"] for r in rows(restored, "DIM_CUSTOMER") if r["CUSTOMER_SK"] != -1] == [C1]


@pytest.mark.parametrize("type_, values", [
    (pa.timestamp("us"), [dt.datetime(2024, 1, 1, 1, 2, 3, 4), None, dt.datetime(9999, 12, 31)]),
    (pa.date32(), [dt.date(2024, 1, 1), None, dt.date(9999, 12, 31)]),
    (pa.string(), ["a", None]),
    (pa.int64(), [1, None]),
    (pa.decimal128(12, 2), [Decimal("1.25"), None]),
])
def test_restored_columns_hold_the_python_values_arrow_gives(type_, values):
    column = pa.chunked_array([pa.array(values[:1], type=type_), pa.array(values[1:], type=type_)])
    restored = list(arrow._python_values(column))
    assert restored == column.to_pylist() == values
    assert [type(v) for v in restored] == [type(v) for v in values]


def test_restored_timestamps_of_another_unit_are_arrow_s_own_values():
    column = pa.chunked_array([pa.array([dt.datetime(2024, 1, 1, 1, 2, 3), None], type=pa.timestamp("ns"))])
    assert list(arrow._python_values(column)) == column.to_pylist()
