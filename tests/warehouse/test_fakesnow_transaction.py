"""SP_RUN_CUSTOMER360_PIPELINE's transaction on the Snowflake path, from the statement log of
runs on fakesnow (fakesnow cannot run a MERGE inside BEGIN, so the transaction statements are
logged but not executed there; what runs between them is what Snowflake would run)."""
from __future__ import annotations

import re

import pytest

from conftest import customer, event, plan, write_staging
from fakesnow_shims import fakesnow_backend, statement_log
from telco360.warehouse import pipeline

# What may run inside the transaction without committing it: DML, reads, describes, and
# Snowpark's own temporary tables (cache_result), which skip the implicit commit.
IN_TRANSACTION = re.compile(
    r"^\s*(\(?\s*SELECT|INSERT|MERGE|DELETE|UPDATE|DESCRIBE|SHOW|CREATE\s+SCOPED\s+TEMPORARY\s+TABLE|DROP\s+TABLE\s+IF\s+EXISTS\s+\S*SNOWPARK_TEMP)",
    re.IGNORECASE,
)


def stage_one_day(lake):
    write_staging(lake, "R1", customers=[customer("C0000001", "2024-01-10 10:00")], plans=[plan("PLN-A")],
                  activity=[event("E1", "C0000001", "2024-01-11 00:00")])


def transaction_statements(log) -> list[str]:
    texts = [s.text.strip() for s in log]
    return texts[texts.index("BEGIN") + 1: texts.index("COMMIT")]


def test_only_dml_and_snowpark_temp_tables_run_between_begin_and_commit(fakesnow_wh, tmp_path):
    stage_one_day(tmp_path)
    with statement_log() as log:
        pipeline.run_pipeline(fakesnow_wh, "2024-01-15", backend=fakesnow_backend(tmp_path / "staging"))
    inside = transaction_statements(log)
    assert inside and [s[:80] for s in inside if not IN_TRANSACTION.match(s)] == []


def test_dq_results_of_a_failed_run_are_recorded_after_the_rollback(fakesnow_wh, tmp_path):
    stage_one_day(tmp_path)
    fakesnow_wh.sql(
        "INSERT INTO TELCO_DB.DW.DIM_PLAN (PLAN_ID, IS_ACTIVE, IS_INFERRED) VALUES ('PLN-OLD', FALSE, TRUE), ('PLN-OLD', FALSE, TRUE)"
    ).collect()
    with statement_log() as log, pytest.raises(pipeline.PipelineError, match=r"unique:DIM_PLAN.PLAN_ID"):
        pipeline.run_pipeline(fakesnow_wh, "2024-01-15", backend=fakesnow_backend(tmp_path / "staging"), run_id="RUN-F")
    texts = [s.text.strip() for s in log]
    dq_writes = [i for i, t in enumerate(texts) if t.startswith("INSERT") and "DQ_CHECK_RESULTS" in t]
    assert dq_writes and min(dq_writes) > texts.index("ROLLBACK")
    recorded = fakesnow_wh.sql(
        "SELECT STATUS, COUNT(*) FROM TELCO_DB.DW.DQ_CHECK_RESULTS WHERE RUN_ID = 'RUN-F' AND CHECK_NAME = 'unique:DIM_PLAN.PLAN_ID' GROUP BY STATUS"
    ).collect()
    assert [tuple(r) for r in recorded] == [("FAIL", 1)]


def test_no_statement_holds_an_untyped_timestamp_literal(fakesnow_wh, tmp_path):
    """An untyped literal follows the account's TIMESTAMP_TYPE_MAPPING (LTZ/TZ would shift
    9999-12-31 by the session's time zone); every timestamp literal is typed NTZ."""
    stage_one_day(tmp_path)
    with statement_log() as log:
        pipeline.run_pipeline(fakesnow_wh, "2024-01-15", backend=fakesnow_backend(tmp_path / "staging"))
    untyped = sorted({m for s in log for m in re.findall(r"TIMESTAMP '[^']*'", s.text)})
    assert untyped == []
