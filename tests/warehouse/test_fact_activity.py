"""FACT_ACTIVITY: one row per EVENT_ID, attached to the version containing EVENT_TS."""
from __future__ import annotations

import pytest

from conftest import customer, event, fact, load, sk_of, ts
from telco360.warehouse.steps import LoadError

C1 = "C0000001"


def test_event_gets_the_version_and_plan_in_force_at_its_time(wh):
    load(wh, customers=[
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-12 10:00", line=2, PLAN_ID="PLN-B"),
    ], activity=[event("E1", C1, "2024-01-11 00:00"), event("E2", C1, "2024-01-13 00:00")])
    assert (fact(wh, "E1")["CUSTOMER_SK"], fact(wh, "E1")["PLAN_ID"]) == (sk_of(wh, C1, ts("2024-01-01 00:00")), "PLN-A")
    assert (fact(wh, "E2")["CUSTOMER_SK"], fact(wh, "E2")["PLAN_ID"]) == (sk_of(wh, C1, ts("2024-01-12 10:00")), "PLN-B")


def test_event_at_a_version_boundary_belongs_to_the_later_version(wh):
    load(wh, customers=[
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-12 10:00", line=2, PLAN_ID="PLN-B"),
    ], activity=[event("E1", C1, "2024-01-12 10:00")])
    assert fact(wh, "E1")["PLAN_ID"] == "PLN-B"


def test_event_before_signup_gets_the_unknown_member(wh):
    load(wh, customers=[customer(C1, "2024-01-10 10:00")], activity=[event("E1", C1, "2023-12-31 23:59")])
    assert (fact(wh, "E1")["CUSTOMER_SK"], fact(wh, "E1")["PLAN_ID"]) == (-1, None)


def test_event_of_a_customer_first_seen_later_is_reattached(wh):
    load(wh, activity=[event("E1", C1, "2024-01-11 00:00")])
    assert fact(wh, "E1")["CUSTOMER_SK"] == -1
    load(wh, customers=[customer(C1, "2024-01-10 10:00", source_file="customers_20240116.ndjson")], run_date="2024-01-16")
    assert (fact(wh, "E1")["CUSTOMER_SK"], fact(wh, "E1")["PLAN_ID"]) == (sk_of(wh, C1, ts("2024-01-01 00:00")), "PLN-A")


def test_late_record_splits_version_and_rekeys_facts(wh):
    load(wh, customers=[
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-20 10:00", line=2, STATUS="SUSPENDED"),
    ], activity=[event("E1", C1, "2024-01-12 00:00"), event("E2", C1, "2024-01-16 00:00")])
    first = fact(wh, "E1")["CUSTOMER_SK"]
    load(wh, customers=[customer(C1, "2024-01-15 10:00", source_file="customers_20240121.ndjson", PLAN_ID="PLN-B")],
         run_date="2024-01-21")
    assert fact(wh, "E1")["CUSTOMER_SK"] == first
    assert (fact(wh, "E2")["CUSTOMER_SK"], fact(wh, "E2")["PLAN_ID"]) == (sk_of(wh, C1, ts("2024-01-15 10:00")), "PLN-B")


def test_redelivered_event_keeps_its_first_row(wh):
    load(wh, customers=[customer(C1, "2024-01-10 10:00")],
         activity=[event("E1", C1, "2024-01-11 00:00"), event("E1", C1, "2024-01-11 00:00", SOURCE_LINE=2)])
    first = fact(wh, "E1")
    load(wh, activity=[event("E1", C1, "2024-01-11 00:00", SOURCE_FILE="activity_logs_20240116.ndjson")],
         run_date="2024-01-16")
    assert fact(wh, "E1") == first


def test_different_rows_for_one_event_id_fail_with_a_clear_error(wh):
    with pytest.raises(LoadError, match="one row per EVENT_ID"):
        load(wh, activity=[event("E1", C1, "2024-01-11 00:00"), event("E1", C1, "2024-01-12 00:00", SOURCE_LINE=2)])
