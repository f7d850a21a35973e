"""Each data-quality check passes on the hand-made story and fails on a table broken on
purpose; the run-level helpers record results and single out critical failures."""
from __future__ import annotations

import datetime as dt

import pytest
from snowflake.snowpark import functions as F

from telco360.warehouse import quality
from telco360.warehouse.tables import qualified_name

from .conftest import FACTS, PLANS, VERSIONS, as_frame, event, plan, ts, version


def tables(session, versions=VERSIONS, plans=PLANS, facts=FACTS, stg_activity=None, stg_customers=None, stg_plans=None):
    return quality.WarehouseTables(
        dim_customer=as_frame(session, "DIM_CUSTOMER", versions),
        dim_plan=as_frame(session, "DIM_PLAN", plans),
        fact_activity=as_frame(session, "FACT_ACTIVITY", facts),
        stg_activity=None if stg_activity is None else as_frame(session, "STG_ACTIVITY", stg_activity),
        stg_customers=None if stg_customers is None else as_frame(session, "STG_CUSTOMERS", stg_customers),
        stg_plans=None if stg_plans is None else as_frame(session, "STG_PLANS", stg_plans),
    )




def replace(rows, index, **changes):
    return [({**row, **changes} if i == index else row) for i, row in enumerate(rows)]


def staged_event(event_id):
    return {"EVENT_ID": event_id, "CUSTOMER_ID": "C0000001", "EVENT_TYPE": "SMS", "EVENT_TS": ts(15),
            "EVENT_DATE": dt.date(2024, 1, 15), "DURATION_SEC": None, "DATA_MB": None, "CELL_ID": None,
            "ROAMING": False, "SOURCE_FILE": "activity_logs_20240115.ndjson", "SOURCE_LINE": 1,
            "INGEST_DATE": dt.date(2024, 1, 15)}


@pytest.fixture(scope="module")
def good_results(snowpark):
    return {r.check_name: r for r in quality.evaluate_checks(tables(snowpark, stg_activity=[staged_event("E1")]))}


def test_every_check_passes_on_a_sound_warehouse(good_results):
    failed = {n: r.detail for n, r in good_results.items() if r.failed and r.severity == quality.CRITICAL}
    assert failed == {}


def test_warnings_count_facts_waiting_for_their_customer(good_results):
    result = good_results["warning:facts_without_customer_version"]
    assert (result.status, result.severity, result.failing_rows) == (quality.FAIL, quality.WARNING, 1)


BROKEN = {
    "not_null:DIM_CUSTOMER": dict(versions=replace(VERSIONS, 0, STATUS=None)),
    "not_null:DIM_PLAN": dict(plans=replace(PLANS, 0, IS_ACTIVE=None)),
    "not_null:FACT_ACTIVITY": dict(facts=replace(FACTS, 0, EVENT_TS=None)),
    "unique:DIM_CUSTOMER.CUSTOMER_SK": dict(versions=replace(VERSIONS, 1, CUSTOMER_SK=1)),
    "unique:DIM_CUSTOMER.CUSTOMER_ID+EFFECTIVE_FROM": dict(
        versions=VERSIONS + [version(11, "C0000003", "P1", "ACTIVE", ts(10), ts(11), signup=dt.date(2024, 1, 10))]
    ),
    "unique:DIM_PLAN.PLAN_ID": dict(plans=PLANS + [plan("P1", "Basic again", 35.00)]),
    "unique:FACT_ACTIVITY.EVENT_ID": dict(facts=FACTS + [event("E1", "C0000001", 1, "P1", "SMS", ts(2))]),
    "accepted_values:DIM_CUSTOMER.STATUS": dict(versions=replace(VERSIONS, 1, STATUS="active")),
    "accepted_values:DIM_PLAN.PLAN_TYPE": dict(plans=replace(PLANS, 0, PLAN_TYPE="PAYG")),
    "accepted_values:FACT_ACTIVITY.EVENT_TYPE": dict(facts=replace(FACTS, 0, EVENT_TYPE="MMS")),
    "relationship:FACT_ACTIVITY.CUSTOMER_SK->DIM_CUSTOMER": dict(facts=replace(FACTS, 0, CUSTOMER_SK=99)),
    "relationship:DIM_CUSTOMER.PLAN_ID->DIM_PLAN": dict(plans=PLANS[:1], facts=[]),
    # C1's first version ends at 01-14 instead of 01-15 12:00: a gap.
    "scd2:no_overlap_or_gap": dict(versions=replace(VERSIONS, 0, EFFECTIVE_TO=ts(14)), facts=[]),
    "scd2:one_current_row": dict(versions=replace(VERSIONS, 0, IS_CURRENT=True)),
    # C2's churned version made ACTIVE again: two consecutive versions alike.
    "scd2:consecutive_versions_differ": dict(versions=replace(VERSIONS, 3, STATUS="ACTIVE")),
    # E1 happened on C1's first version but points at the second.
    "scd2:facts_on_containing_version": dict(facts=replace(FACTS, 0, CUSTOMER_SK=2, PLAN_ID="P2")),
    "reconciliation:STG_ACTIVITY->FACT_ACTIVITY": dict(stg_activity=[staged_event("E1"), staged_event("E404")]),
    "warning:inferred_plans": dict(plans=replace(PLANS, 1, IS_INFERRED=True)),
}


@pytest.mark.parametrize("check_name", sorted(BROKEN))
def test_check_fails_on_a_table_broken_on_purpose(snowpark, check_name):
    results = {r.check_name: r for r in _evaluate_one(snowpark, check_name, **BROKEN[check_name])}
    assert results[check_name].status == quality.FAIL
    assert results[check_name].failing_rows >= 1


def _evaluate_one(session, check_name, **tables_kwargs):
    broken = tables(session, **tables_kwargs)
    return [r for r in (check(broken) for check in _checks_named(check_name))]


def _checks_named(check_name):
    """The checks are closures; pick by the name each one reports on the sound story."""
    return [check for check, name in CHECK_NAMES.items() if name == check_name]


CHECK_NAMES: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _name_checks(snowpark):
    sound = tables(snowpark, stg_activity=[], stg_customers=[], stg_plans=[])
    CHECK_NAMES.update({check: check(sound).check_name for check in quality.CHECKS})


def test_a_fact_left_on_the_unknown_member_fails_when_a_version_contains_it(snowpark):
    facts = replace(FACTS, 0, CUSTOMER_SK=-1, PLAN_ID=None)
    (result,) = _evaluate_one(snowpark, "scd2:facts_on_containing_version", facts=facts)
    assert (result.status, result.failing_rows) == (quality.FAIL, 1)


def test_overlapping_versions_fail_the_chain_check(snowpark):
    versions = replace(VERSIONS, 0, EFFECTIVE_TO=ts(16))
    (result,) = _evaluate_one(snowpark, "scd2:no_overlap_or_gap", versions=versions, facts=[])
    assert result.status == quality.FAIL


def test_reconciliation_is_skipped_when_staging_is_absent(snowpark):
    (result,) = _evaluate_one(snowpark, "reconciliation:STG_PLANS->DIM_PLAN")
    assert result.status == quality.SKIPPED


def test_only_critical_failures_fail_the_run():
    warning = quality.CheckResult("warning:inferred_plans", quality.WARNING, quality.FAIL, 2, "")
    critical = quality.CheckResult("unique:DIM_PLAN.PLAN_ID", quality.CRITICAL, quality.FAIL, 2, "")
    passed = quality.CheckResult("not_null:DIM_PLAN", quality.CRITICAL, quality.PASS, 0, "")
    assert quality.has_critical_failure([warning, passed]) is False
    assert quality.has_critical_failure([warning, critical]) is True


def test_run_dq_checks_records_one_row_per_check_under_the_run_id(dw):
    checked_at = dt.datetime(2024, 2, 1, 7)
    results = quality.run_dq_checks(dw, "run-test-1", checked_at)
    recorded = dw.table(qualified_name("DQ_CHECK_RESULTS")).filter(F.col("RUN_ID") == "run-test-1").collect()
    assert len(recorded) == len(results) == len(quality.CHECKS)
    assert {r["CHECKED_AT"] for r in recorded} == {checked_at}


def test_post_load_check_does_not_pass_when_a_critical_check_fails(snowpark):
    from .conftest import save

    save(snowpark, "DIM_CUSTOMER", replace(VERSIONS, 0, IS_CURRENT=True))
    try:
        outcome = quality.post_load_check(snowpark, "2024-01-16", "RUN-1")
    finally:
        save(snowpark, "DIM_CUSTOMER", VERSIONS)
    assert outcome["passed"] is False
    assert "scd2:one_current_row" in outcome["failed"]


def test_every_check_passes_on_an_empty_warehouse(snowpark):
    empty = tables(snowpark, versions=[], plans=[], facts=[], stg_activity=[], stg_customers=[], stg_plans=[])
    assert [r.check_name for r in quality.evaluate_checks(empty) if r.failed] == []
