"""DIM_CUSTOMER (SCD2): every rule of the contract's section 4, on literal records."""
from __future__ import annotations

from conftest import HIGH, customer, load, rows, stage, ts, versions
from telco360.warehouse import steps

C1 = "C0000001"


def load_customers(wh, *records):
    stage(wh, customers=records)
    steps.load_dim_customer(wh, "2024-01-15")


def test_two_changes_in_one_batch_open_two_versions(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-12 10:00", line=2, STATUS="SUSPENDED"),
        customer(C1, "2024-01-14 10:00", line=3, STATUS="SUSPENDED", PLAN_ID="PLN-B"),
    )
    assert versions(wh, C1, "STATUS", "PLAN_ID") == [
        (ts("2024-01-01 00:00"), ts("2024-01-12 10:00"), False, "ACTIVE", "PLN-A"),
        (ts("2024-01-12 10:00"), ts("2024-01-14 10:00"), False, "SUSPENDED", "PLN-A"),
        (ts("2024-01-14 10:00"), HIGH, True, "SUSPENDED", "PLN-B"),
    ]


def test_first_version_starts_at_first_update_when_it_precedes_signup(wh):
    load_customers(wh, customer(C1, "2023-12-30 08:00", SIGNUP_DATE=ts("2024-01-01 00:00").date()))
    assert versions(wh, C1) == [(ts("2023-12-30 08:00"), HIGH, True)]


def test_status_is_stored_upper_case(wh):
    load_customers(wh, customer(C1, "2024-01-10 10:00", STATUS="suspended"))
    assert versions(wh, C1, "STATUS") == [(ts("2024-01-01 00:00"), HIGH, True, "SUSPENDED")]


def test_no_op_record_opens_no_version_and_rewrites_nothing(wh):
    load_customers(wh, customer(C1, "2024-01-10 10:00"))
    before = rows(wh, "DIM_CUSTOMER")
    load_customers(wh, customer(C1, "2024-01-12 10:00", source_file="customers_20240116.ndjson"))
    assert rows(wh, "DIM_CUSTOMER") == before


def test_type1_only_change_corrects_every_version_and_opens_none(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-12 10:00", line=2, STATUS="SUSPENDED"),
    )
    load_customers(
        wh,
        customer(C1, "2024-01-13 10:00", source_file="customers_20240116.ndjson", STATUS="SUSPENDED",
                 FIRST_NAME="Adaeze", DATE_OF_BIRTH=ts("1991-04-12 00:00").date()),
    )
    assert versions(wh, C1, "STATUS", "FIRST_NAME", "DATE_OF_BIRTH") == [
        (ts("2024-01-01 00:00"), ts("2024-01-12 10:00"), False, "ACTIVE", "Adaeze", ts("1991-04-12 00:00").date()),
        (ts("2024-01-12 10:00"), HIGH, True, "SUSPENDED", "Adaeze", ts("1991-04-12 00:00").date()),
    ]


def test_type1_change_keeps_surrogate_keys(wh):
    load_customers(wh, customer(C1, "2024-01-10 10:00"))
    [before] = [r["CUSTOMER_SK"] for r in rows(wh, "DIM_CUSTOMER") if r["CUSTOMER_ID"] == C1]
    load_customers(wh, customer(C1, "2024-01-11 10:00", source_file="customers_20240116.ndjson", LAST_NAME="Obi"))
    assert [r["CUSTOMER_SK"] for r in rows(wh, "DIM_CUSTOMER") if r["CUSTOMER_ID"] == C1] == [before]


def test_null_to_value_and_back_open_versions(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1, PHONE=None),
        customer(C1, "2024-01-11 10:00", line=2, PHONE="+15550001111"),
        customer(C1, "2024-01-12 10:00", line=3, PHONE=None),
    )
    assert versions(wh, C1, "PHONE") == [
        (ts("2024-01-01 00:00"), ts("2024-01-11 10:00"), False, None),
        (ts("2024-01-11 10:00"), ts("2024-01-12 10:00"), False, "+15550001111"),
        (ts("2024-01-12 10:00"), HIGH, True, None),
    ]


def test_email_case_and_whitespace_open_no_version(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1, EMAIL=" Ada.Okafor@Example.com "),
        customer(C1, "2024-01-11 10:00", line=2, EMAIL="ada.okafor@example.com"),
    )
    assert versions(wh, C1, "EMAIL") == [(ts("2024-01-01 00:00"), HIGH, True, "ada.okafor@example.com")]


def test_churn_then_reactivation_opens_a_version_each(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-11 10:00", line=2, STATUS="CHURNED"),
        customer(C1, "2024-01-12 10:00", line=3, STATUS="ACTIVE"),
    )
    assert versions(wh, C1, "STATUS") == [
        (ts("2024-01-01 00:00"), ts("2024-01-11 10:00"), False, "ACTIVE"),
        (ts("2024-01-11 10:00"), ts("2024-01-12 10:00"), False, "CHURNED"),
        (ts("2024-01-12 10:00"), HIGH, True, "ACTIVE"),
    ]


def test_late_record_splits_version_and_keeps_unchanged_keys(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-20 10:00", line=2, STATUS="SUSPENDED"),
    )
    first_sk = [r["CUSTOMER_SK"] for r in rows(wh, "DIM_CUSTOMER") if r["EFFECTIVE_FROM"] == ts("2024-01-01 00:00")]
    load_customers(wh, customer(C1, "2024-01-15 10:00", source_file="customers_20240121.ndjson", PLAN_ID="PLN-B"))
    assert versions(wh, C1, "STATUS", "PLAN_ID") == [
        (ts("2024-01-01 00:00"), ts("2024-01-15 10:00"), False, "ACTIVE", "PLN-A"),
        (ts("2024-01-15 10:00"), ts("2024-01-20 10:00"), False, "ACTIVE", "PLN-B"),
        (ts("2024-01-20 10:00"), HIGH, True, "SUSPENDED", "PLN-A"),
    ]
    assert [r["CUSTOMER_SK"] for r in rows(wh, "DIM_CUSTOMER") if r["EFFECTIVE_FROM"] == ts("2024-01-01 00:00")] == first_sk


def test_late_record_equal_to_following_state_merges_into_it(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-20 10:00", line=2, STATUS="SUSPENDED"),
    )
    load_customers(wh, customer(C1, "2024-01-15 10:00", source_file="customers_20240121.ndjson", STATUS="SUSPENDED"))
    assert versions(wh, C1, "STATUS") == [
        (ts("2024-01-01 00:00"), ts("2024-01-15 10:00"), False, "ACTIVE"),
        (ts("2024-01-15 10:00"), HIGH, True, "SUSPENDED"),
    ]


def test_late_record_equal_to_state_in_force_changes_nothing(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-20 10:00", line=2, STATUS="SUSPENDED"),
    )
    before = rows(wh, "DIM_CUSTOMER")
    load_customers(wh, customer(C1, "2024-01-15 10:00", source_file="customers_20240121.ndjson"))
    assert rows(wh, "DIM_CUSTOMER") == before


def test_tie_is_won_by_the_record_delivered_last(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", source_file="customers_20240116.ndjson", line=1, STATUS="SUSPENDED"),
        customer(C1, "2024-01-10 10:00", source_file="customers_20240115.ndjson", line=9, STATUS="CHURNED"),
        customer(C1, "2024-01-10 10:00", source_file="customers_20240115.ndjson", line=2, STATUS="ACTIVE"),
    )
    assert versions(wh, C1, "STATUS") == [(ts("2024-01-01 00:00"), HIGH, True, "SUSPENDED")]


def test_tie_never_produces_a_zero_length_version(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-12 10:00", line=2, STATUS="SUSPENDED"),
        customer(C1, "2024-01-12 10:00", line=3, STATUS="CHURNED"),
    )
    assert versions(wh, C1, "STATUS") == [
        (ts("2024-01-01 00:00"), ts("2024-01-12 10:00"), False, "ACTIVE"),
        (ts("2024-01-12 10:00"), HIGH, True, "CHURNED"),
    ]


def test_identical_redelivered_record_collapses(wh):
    record = customer(C1, "2024-01-10 10:00")
    load_customers(wh, record, {**record, "SOURCE_FILE": "customers_20240116.ndjson", "EXTRACT_DATE": ts("2024-01-16 00:00").date()})
    assert versions(wh, C1) == [(ts("2024-01-01 00:00"), HIGH, True)]


def test_rerun_of_the_same_batch_changes_nothing(wh):
    batch = dict(
        customers=[customer(C1, "2024-01-10 10:00", line=1), customer(C1, "2024-01-12 10:00", line=2, STATUS="CHURNED")],
    )
    load(wh, **batch)
    before = {t: rows(wh, t) for t in ("DIM_CUSTOMER", "FACT_ACTIVITY", "DIM_PLAN", "CUSTOMER_STATE_HISTORY")}
    load(wh, **batch)
    assert {t: rows(wh, t) for t in before} == before


def test_same_records_split_into_different_days_give_the_same_history(wh, tmp_path_factory):
    from telco360.warehouse.local.session import open_local_warehouse

    records = [
        customer(C1, "2024-01-10 10:00", source_file="customers_20240110.ndjson"),
        customer(C1, "2024-01-12 10:00", source_file="customers_20240112.ndjson", STATUS="SUSPENDED"),
        customer(C1, "2024-01-14 10:00", source_file="customers_20240114.ndjson", STATUS="SUSPENDED", CITY="Abuja"),
        customer(C1, "2024-01-16 10:00", source_file="customers_20240116.ndjson", STATUS="ACTIVE", CITY="Abuja"),
    ]
    load_customers(wh, *records)
    other = open_local_warehouse(tmp_path_factory.mktemp("split"))
    load_customers(other, records[3], records[1])
    load_customers(other, records[2])
    load_customers(other, records[0])
    columns = ("STATUS", "CITY", "PLAN_ID")
    assert versions(other, C1, *columns) == versions(wh, C1, *columns)


def test_unknown_member_row_has_key_minus_one(wh):
    load_customers(wh, customer(C1, "2024-01-10 10:00"))
    unknown = [r for r in rows(wh, "DIM_CUSTOMER") if r["CUSTOMER_SK"] == -1]
    assert [(r["CUSTOMER_ID"], r["IS_CURRENT"], r["EFFECTIVE_TO"]) for r in unknown] == [(None, True, HIGH)]


def test_surrogate_keys_are_unique_across_customers_and_versions(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", line=1),
        customer(C1, "2024-01-12 10:00", line=2, STATUS="CHURNED"),
        customer("C0000002", "2024-01-10 10:00", line=3),
    )
    load_customers(wh, customer(C1, "2024-01-11 10:00", source_file="customers_20240116.ndjson", CITY="Abuja"))
    keys = [r["CUSTOMER_SK"] for r in rows(wh, "DIM_CUSTOMER")]
    assert len(keys) == len(set(keys)) == 5
