"""A customers file sent again under a name already archived is a new delivery (contract
section 3): its records are identified by archive key (ingest date + file name) and line."""
from __future__ import annotations

import datetime as dt

from conftest import HIGH, customer, rows, stage, ts, versions
from telco360.warehouse import steps

C1 = "C0000001"
NAME = "customers_20240115.ndjson"


def load_customers(wh, *records):
    stage(wh, customers=records)
    steps.load_dim_customer(wh, "2024-01-16")


def test_corrected_resend_under_an_archived_name_reaches_the_history(wh):
    load_customers(wh, customer(C1, "2024-01-10 10:00", source_file=NAME, line=1))
    corrected = customer(C1, "2024-01-12 10:00", source_file=NAME, line=1, STATUS="SUSPENDED",
                         INGEST_DATE=dt.date(2024, 1, 16))

    load_customers(wh, corrected)

    assert versions(wh, C1, "STATUS") == [
        (ts("2024-01-01 00:00"), ts("2024-01-12 10:00"), False, "ACTIVE"),
        (ts("2024-01-12 10:00"), HIGH, True, "SUSPENDED"),
    ]
    assert len(rows(wh, "CUSTOMER_STATE_HISTORY")) == 2


def test_tie_on_the_same_name_and_line_goes_to_the_later_ingest_date(wh):
    load_customers(
        wh,
        customer(C1, "2024-01-10 10:00", source_file=NAME, line=1, STATUS="CHURNED", INGEST_DATE=dt.date(2024, 1, 17)),
        customer(C1, "2024-01-10 10:00", source_file=NAME, line=1, STATUS="SUSPENDED", INGEST_DATE=dt.date(2024, 1, 16)),
    )

    assert versions(wh, C1, "STATUS") == [(ts("2024-01-01 00:00"), HIGH, True, "CHURNED")]


def test_same_delivery_loaded_again_adds_no_history_record(wh):
    record = customer(C1, "2024-01-10 10:00", source_file=NAME, line=1, INGEST_DATE=dt.date(2024, 1, 16))
    load_customers(wh, record)

    load_customers(wh, record)

    assert len(rows(wh, "CUSTOMER_STATE_HISTORY")) == 1
