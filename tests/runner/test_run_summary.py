"""Figures the demo and `c360 run` print, read from a literal run record."""
from __future__ import annotations

from telco360.runner.summary import describe_run, run_facts

RECORD = {
    "run_id": "2024-01-16_x", "run_date": "2024-01-16", "status": "SUCCEEDED", "seconds": 30.0,
    "stages": {
        "validate": {"seconds": 0.5, "summary": {
            "archived": [{"key": "raw/customers/customers_20240116.ndjson"}],
            "rejected": [{"reason": "empty_file"}, {"reason": "not_utf8"}, {"reason": "empty_file"}]}},
        "lake_jobs": {"seconds": 20.0, "summary": {"job_runs": [
            {"job": "telco360-clean", "seconds": 12.0, "summary": {"job": "clean", "datasets": {
                "customers": {"clean": 9, "quarantined": 1, "quarantine_reasons": {"bad_domain:status": 1}},
                "activity_logs": {"clean": 90, "quarantined": 2, "quarantine_reasons": {"negative:data_mb": 2}}}}},
            {"job": "telco360-staging", "seconds": 8.0, "summary": {"job": "staging", "tables": {
                "STG_CUSTOMERS": {"rows": 9}, "STG_PLANS": {"rows": 4}, "STG_ACTIVITY": {"rows": 90}}}}]}},
        "warehouse_catch_up": {"seconds": 4.0, "summary": {"staging_run_ids": ["r1", "r2"], "loads": [
            {"staging_run_id": "r1", "steps": {"SP_LOAD_FACT_ACTIVITY": {"rows_inserted": 6, "rows_rekeyed": 1}}},
            {"staging_run_id": "r2", "steps": {"SP_LOAD_FACT_ACTIVITY": {"rows_inserted": 4}}}]}},
        "warehouse": {"seconds": 5.0, "summary": {"steps": {
            "SP_LOAD_DIM_CUSTOMER": {"records_received": 9, "rows_inserted": 3, "rows_updated": 1},
            "SP_LOAD_FACT_ACTIVITY": {"rows_inserted": 90, "rows_rekeyed": 4}}}},
    },
}


def test_run_facts_count_files_and_reasons():
    facts = run_facts(RECORD)

    assert (facts["files_archived"], facts["files_rejected"]) == (1, 3)
    assert facts["rejection_reasons"] == {"empty_file": 2, "not_utf8": 1}


def test_run_facts_sum_quarantine_over_datasets():
    facts = run_facts(RECORD)

    assert (facts["records_clean"], facts["records_quarantined"]) == (99, 3)
    assert facts["quarantine_reasons"] == {"bad_domain:status": 1, "negative:data_mb": 2}


def test_run_facts_add_catch_up_loads_to_the_day():
    facts = run_facts(RECORD)

    assert (facts["versions_opened"], facts["facts_inserted"], facts["facts_rekeyed"]) == (3, 100, 5)


def test_stage_seconds_name_the_jobs_and_sum_both_warehouse_loads():
    assert run_facts(RECORD)["seconds"] == {
        "validate": 0.5, "job_a_clean": 12.0, "job_b_staging": 8.0, "warehouse": 9.0, "total": 30.0}


def test_describe_run_states_the_status_and_counts():
    text = describe_run(RECORD)

    assert text.splitlines()[0] == "run 2024-01-16_x (date 2024-01-16): SUCCEEDED"
    assert "1 archived, 3 rejected (empty_file 2, not_utf8 1)" in text
