"""DIM_PLAN (type 1): latest state, IS_ACTIVE from the newest snapshot, inferred rows."""
from __future__ import annotations

from conftest import customer, load, plan, rows


def plan_row(wh, plan_id):
    [row] = [r for r in rows(wh, "DIM_PLAN") if r["PLAN_ID"] == plan_id]
    return row


def test_plan_renamed_then_retired_keeps_one_row_with_latest_name_inactive(wh):
    load(wh, plans=[plan("PLN-A", "Basic"), plan("PLN-B", "Plus")])
    load(wh, plans=[plan("PLN-A", "Basic 2024", updated_at="2024-01-16 00:00", in_latest=False),
                    plan("PLN-B", "Plus")], run_date="2024-01-16")
    row = plan_row(wh, "PLN-A")
    assert (row["PLAN_NAME"], row["IS_ACTIVE"], row["IS_INFERRED"]) == ("Basic 2024", False, False)
    assert len(rows(wh, "DIM_PLAN")) == 2


def test_plan_referenced_but_never_delivered_gets_an_inferred_row(wh):
    load(wh, customers=[customer("C0000001", "2024-01-10 10:00", PLAN_ID="PLN-X")], plans=[plan("PLN-A")])
    row = plan_row(wh, "PLN-X")
    assert (row["IS_INFERRED"], row["IS_ACTIVE"], row["PLAN_NAME"], row["MONTHLY_FEE"]) == (True, False, None, None)


def test_real_catalog_row_overwrites_an_inferred_one(wh):
    load(wh, customers=[customer("C0000001", "2024-01-10 10:00", PLAN_ID="PLN-X")])
    load(wh, plans=[plan("PLN-X", "Xtra")], run_date="2024-01-16")
    row = plan_row(wh, "PLN-X")
    assert (row["IS_INFERRED"], row["IS_ACTIVE"], row["PLAN_NAME"]) == (False, True, "Xtra")


def test_older_plan_state_never_overwrites_a_newer_one(wh):
    load(wh, plans=[plan("PLN-A", "New", updated_at="2024-01-16 00:00")])
    load(wh, plans=[plan("PLN-A", "Old", updated_at="2024-01-01 00:00")], run_date="2024-01-17")
    assert plan_row(wh, "PLN-A")["PLAN_NAME"] == "New"
