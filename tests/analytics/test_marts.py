"""Each mart on the hand-made story in conftest.py, with answers worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from telco360 import contract
from telco360.analytics import marts
from telco360.warehouse.tables import qualified_name

from .conftest import FACTS, HIGH, VERSIONS, as_frame, event

REFRESHED = dt.datetime(2024, 2, 1, 6)


def tables(session):
    return (
        session.table(qualified_name("FACT_ACTIVITY")),
        session.table(qualified_name("DIM_CUSTOMER")),
        session.table(qualified_name("DIM_PLAN")),
    )


def usage_tables(session):
    """The usage marts' inputs: the facts summed per day, the customers, the plans."""
    fact, dim_customer, dim_plan = tables(session)
    return marts.daily_usage(fact), dim_customer, dim_plan


def by_key(rows, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r.as_dict() for r in rows}


@pytest.fixture(scope="module")
def enriched(dw):
    return by_key(marts.activity_enriched(*tables(dw)).collect(), "EVENT_ID")


@pytest.fixture(scope="module")
def usage(dw):
    return by_key(marts.plan_usage_daily(*usage_tables(dw), REFRESHED).collect(), "ACTIVITY_DATE", "PLAN_ID")


@pytest.fixture(scope="module")
def customers_jan31(dw):
    return by_key(marts.customer_360(*usage_tables(dw), dt.date(2024, 1, 31), REFRESHED).collect(), "CUSTOMER_ID")


@pytest.fixture(scope="module")
def churn(dw):
    return by_key(marts.churn_by_plan(*usage_tables(dw), dt.date(2024, 1, 31), REFRESHED).collect(), "CHURN_MONTH", "PLAN_ID")


def test_daily_usage_sums_each_customer_plan_and_day(dw):
    late_sms = event("E7", "C0000001", 2, "P2", "SMS", dt.datetime(2024, 1, 15, 18))
    rows = by_key(
        marts.daily_usage(as_frame(dw, "FACT_ACTIVITY", [*FACTS, late_sms])).collect(), "CUSTOMER_ID", "PLAN_ID", "EVENT_DATE"
    )
    day15, day16 = dt.date(2024, 1, 15), dt.date(2024, 1, 16)
    figures = {key: (r["EVENTS"], r["DATA_MB"], r["VOICE_SECONDS"], r["SMS"], r["LAST_EVENT_TS"]) for key, r in rows.items()}
    assert figures[("C0000001", "P1", day15)] == (1, 100, 0, 0, dt.datetime(2024, 1, 15, 10))
    assert figures[("C0000001", "P2", day15)] == (2, 50, 0, 1, dt.datetime(2024, 1, 15, 18))
    assert figures[("C0000001", "P2", day16)] == (1, 0, 120, 0, dt.datetime(2024, 1, 16, 9))
    # An unknown customer's events (no version yet, so no plan) are a day of their own.
    assert figures[("C0000009", None, day16)] == (1, 10, 0, 0, dt.datetime(2024, 1, 16, 11))
    assert len(rows) == 6


def test_activity_enriched_gives_each_event_the_plan_in_force_at_the_event(enriched):
    rows = enriched
    assert (rows["E1"]["PLAN_NAME"], rows["E1"]["CUSTOMER_SK"]) == ("Basic", 1)
    assert (rows["E2"]["PLAN_NAME"], rows["E2"]["CUSTOMER_SK"]) == ("Plus", 2)
    assert rows["E1"]["VERSION_EFFECTIVE_TO"] == dt.datetime(2024, 1, 15, 12)


def test_activity_enriched_keeps_events_of_unknown_customers_without_attributes(enriched):
    rows = enriched
    assert len(rows) == len(FACTS)
    assert (rows["E5"]["CUSTOMER_SK"], rows["E5"]["PLAN_ID"], rows["E5"]["CUSTOMER_STATUS"]) == (-1, None, None)


def test_activity_enriched_has_the_contract_columns(dw):
    fact, dim_customer, dim_plan = tables(dw)
    frame = marts.activity_enriched(fact, dim_customer, dim_plan)
    assert tuple(frame.columns) == tuple(c[0] for c in contract.ANALYTICS_VIEWS["V_ACTIVITY_ENRICHED"])


def test_plan_usage_splits_a_mid_day_plan_change_between_the_two_plans(usage):
    rows = usage
    p1, p2 = rows[(dt.date(2024, 1, 15), "P1")], rows[(dt.date(2024, 1, 15), "P2")]
    assert (p1["EVENTS"], p1["DATA_MB"], p1["SMS_COUNT"], p1["USING_CUSTOMERS"]) == (2, 100, 1, 2)
    assert (p2["EVENTS"], p2["DATA_MB"], p2["USING_CUSTOMERS"]) == (1, 50, 1)


def test_plan_usage_counts_customers_active_on_the_plan_at_the_end_of_the_day(usage):
    rows = usage
    # 01-15: C1 ended the day on P2, so P1 keeps only C2; P2 has C1, C3 and C4.
    assert rows[(dt.date(2024, 1, 15), "P1")]["ACTIVE_CUSTOMERS"] == 1
    assert rows[(dt.date(2024, 1, 15), "P2")]["ACTIVE_CUSTOMERS"] == 3
    # 01-12: C3 was suspended at the end of the day and is not active.
    assert rows[(dt.date(2024, 1, 12), "P2")]["ACTIVE_CUSTOMERS"] == 1


def test_plan_usage_prorates_the_monthly_fee_over_the_days_of_the_month(usage):
    rows = usage
    assert rows[(dt.date(2024, 1, 15), "P2")]["REVENUE_PROXY"] == pytest.approx(3 * 62.00 / 31)
    assert rows[(dt.date(2024, 1, 15), "P1")]["REVENUE_PROXY"] == pytest.approx(1 * 31.00 / 31)


def test_plan_usage_keeps_unattributed_usage_under_a_null_plan(usage):
    rows = usage
    unknown = rows[(dt.date(2024, 1, 16), None)]
    assert (unknown["EVENTS"], unknown["DATA_MB"], unknown["ACTIVE_CUSTOMERS"]) == (1, 10, 0)


def test_plan_usage_reports_voice_in_minutes(usage):
    rows = usage
    assert rows[(dt.date(2024, 1, 16), "P2")]["VOICE_MINUTES"] == 2


def test_customer_360_has_one_row_per_customer_with_the_current_plan(customers_jan31):
    rows = customers_jan31
    assert sorted(rows) == ["C0000001", "C0000002", "C0000003", "C0000004"]
    assert (rows["C0000001"]["PLAN_ID"], rows["C0000001"]["CUSTOMER_SK"]) == ("P2", 2)


def test_customer_360_counts_plan_changes_but_not_other_version_changes(customers_jan31):
    rows = customers_jan31
    assert {c: (r["VERSION_COUNT"], r["PLAN_CHANGES"]) for c, r in rows.items()} == {
        "C0000001": (2, 1), "C0000002": (2, 0), "C0000003": (3, 0), "C0000004": (3, 1),
    }


def test_customer_360_gives_churn_flag_date_and_tenure_to_churn(customers_jan31):
    rows = customers_jan31
    churned = rows["C0000002"]
    assert (churned["IS_CHURNED"], churned["CHURN_DATE"], churned["TENURE_DAYS"]) == (True, dt.date(2024, 1, 20), 19)
    assert (rows["C0000001"]["IS_CHURNED"], rows["C0000001"]["CHURN_DATE"], rows["C0000001"]["TENURE_DAYS"]) == (
        False, None, 30,
    )


def test_customer_360_usage_covers_the_30_days_ending_on_the_as_of_date(customers_jan31):
    rows = customers_jan31
    # C2's 01-01 event is 30 days before 01-31: outside the window, though still its history.
    c2 = rows["C0000002"]
    assert (c2["EVENTS_30D"], c2["SMS_30D"], c2["DATA_MB_30D"]) == (1, 1, 0)
    c1 = rows["C0000001"]
    assert (c1["EVENTS_30D"], c1["DATA_MB_30D"], c1["VOICE_MINUTES_30D"]) == (3, 150, 2)
    assert c1["LAST_ACTIVITY_TS"] == dt.datetime(2024, 1, 16, 9)


def test_customer_360_ignores_activity_after_the_as_of_date(dw):
    rows = by_key(marts.customer_360(*usage_tables(dw), dt.date(2024, 1, 15), REFRESHED).collect(), "CUSTOMER_ID")
    assert rows["C0000001"]["LAST_ACTIVITY_TS"] == dt.datetime(2024, 1, 15, 13)
    assert rows["C0000001"]["EVENTS_30D"] == 2


def test_churn_is_attributed_to_the_plan_held_at_churn_time(churn):
    rows = churn
    # C4 started on P1 but churned on P2; C2 churned on P1.
    assert rows[(dt.date(2024, 1, 1), "P2")]["CHURN_EVENTS"] == 1
    assert rows[(dt.date(2024, 1, 1), "P1")]["CHURN_EVENTS"] == 1


def test_churn_rate_divides_by_customers_on_the_plan_at_month_start(churn):
    rows = churn
    p1, p2 = rows[(dt.date(2024, 1, 1), "P1")], rows[(dt.date(2024, 1, 1), "P2")]
    assert (p1["CUSTOMERS_AT_MONTH_START"], p1["CHURN_RATE"]) == (3, pytest.approx(1 / 3, abs=1e-4))
    assert (p2["CUSTOMERS_AT_MONTH_START"], p2["CHURN_RATE"]) == (0, None)


def test_features_take_plan_and_status_in_force_at_the_end_of_the_as_of_date(dw):
    usage, dim_customer, _ = usage_tables(dw)
    rows = by_key(
        marts.customer_features(usage, dim_customer, [dt.date(2024, 1, 10), dt.date(2024, 1, 15)], REFRESHED).collect(),
        "AS_OF_DATE", "CUSTOMER_ID",
    )
    assert rows[(dt.date(2024, 1, 10), "C0000001")]["PLAN_ID"] == "P1"
    assert rows[(dt.date(2024, 1, 15), "C0000001")]["PLAN_ID"] == "P2"
    # C2 churns on 01-20: still a live, ACTIVE customer as of 01-15.
    assert rows[(dt.date(2024, 1, 15), "C0000002")]["STATUS"] == "ACTIVE"


def test_features_count_usage_windows_and_history_up_to_the_as_of_date(dw):
    usage, dim_customer, _ = usage_tables(dw)
    rows = by_key(marts.customer_features(usage, dim_customer, [dt.date(2024, 1, 15)], REFRESHED).collect(), "CUSTOMER_ID")
    c1, c2, c3 = rows["C0000001"], rows["C0000002"], rows["C0000003"]
    assert (c1["EVENTS_7D"], c1["DATA_MB_30D"], c1["VOICE_MINUTES_30D"], c1["PLAN_CHANGES_TOTAL"]) == (2, 150, 0, 1)
    assert (c2["EVENTS_7D"], c2["EVENTS_30D"], c2["SMS_30D"], c2["DAYS_SINCE_LAST_ACTIVITY"]) == (1, 2, 1, 0)
    assert (c3["SUSPENSIONS_TOTAL"], c3["DAYS_SINCE_LAST_ACTIVITY"], c3["TENURE_DAYS"]) == (1, None, 5)


def _known_by(end: dt.datetime):
    """The story as the warehouse would hold it if nothing after `end` had happened yet."""
    versions = []
    for row in VERSIONS:
        if row["EFFECTIVE_FROM"] >= end:
            continue
        still_open = row["EFFECTIVE_TO"] > end
        versions.append({**row, "EFFECTIVE_TO": HIGH if still_open else row["EFFECTIVE_TO"], "IS_CURRENT": still_open})
    return versions, [row for row in FACTS if row["EVENT_TS"] < end]


def test_features_use_nothing_after_the_as_of_date(dw):
    as_of = dt.date(2024, 1, 15)
    usage, dim_customer, _ = usage_tables(dw)
    with_future = marts.customer_features(usage, dim_customer, [as_of], REFRESHED).collect()

    versions, facts = _known_by(dt.datetime(2024, 1, 16))
    without_future = marts.customer_features(
        marts.daily_usage(as_frame(dw, "FACT_ACTIVITY", facts)), as_frame(dw, "DIM_CUSTOMER", versions), [as_of], REFRESHED
    ).collect()

    assert by_key(with_future, "CUSTOMER_ID") == by_key(without_future, "CUSTOMER_ID")
    assert len(facts) < len(FACTS) and len(versions) < len(VERSIONS)


def test_features_leave_out_customers_already_churned(dw):
    usage, dim_customer, _ = usage_tables(dw)
    rows = by_key(marts.customer_features(usage, dim_customer, [dt.date(2024, 1, 31)], REFRESHED).collect(), "CUSTOMER_ID")
    assert sorted(rows) == ["C0000001", "C0000003"]


def test_every_mart_is_empty_on_an_empty_warehouse(snowpark):
    fact, dim_customer, dim_plan = (as_frame(snowpark, t, []) for t in ("FACT_ACTIVITY", "DIM_CUSTOMER", "DIM_PLAN"))
    as_of = dt.date(2024, 1, 31)
    usage = marts.daily_usage(fact)
    built = [
        usage,
        marts.plan_usage_daily(usage, dim_customer, dim_plan, REFRESHED),
        marts.customer_360(usage, dim_customer, dim_plan, as_of, REFRESHED),
        marts.churn_by_plan(usage, dim_customer, dim_plan, as_of, REFRESHED),
        marts.customer_features(usage, dim_customer, [as_of], REFRESHED),
    ]
    assert [frame.count() for frame in built] == [0, 0, 0, 0, 0]


def test_customer_360_keeps_customers_without_any_activity(dw):
    _, dim_customer, dim_plan = tables(dw)
    rows = by_key(
        marts.customer_360(marts.daily_usage(as_frame(dw, "FACT_ACTIVITY", [])), dim_customer, dim_plan, dt.date(2024, 1, 31), REFRESHED).collect(),
        "CUSTOMER_ID",
    )
    assert len(rows) == 4
    assert (rows["C0000001"]["EVENTS_30D"], rows["C0000001"]["LAST_ACTIVITY_TS"]) == (0, None)


def test_churn_by_plan_without_any_churn_has_bases_and_no_events(dw):
    usage, _, dim_plan = usage_tables(dw)
    never_churned = [row for row in VERSIONS if row["STATUS"] != "CHURNED" and row["CUSTOMER_ID"] in ("C0000001", "C0000003")]
    rows = by_key(marts.churn_by_plan(usage, as_frame(dw, "DIM_CUSTOMER", never_churned), dim_plan, dt.date(2024, 1, 31),
                                      REFRESHED).collect(), "CHURN_MONTH", "PLAN_ID")
    assert {k: (r["CUSTOMERS_AT_MONTH_START"], r["CHURN_EVENTS"]) for k, r in rows.items()} == {
        (dt.date(2024, 1, 1), "P1"): (1, 0),
    }
