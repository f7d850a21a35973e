"""Analyst marts and views as pure Snowpark transforms: DW DataFrames in, a DataFrame out.

Point in time everywhere: a fact already carries the customer version (and plan) in force at
its EVENT_TS, so usage is attributed through FACT_ACTIVITY.PLAN_ID, never through the
customer's current plan. Day, month and as-of spines are small frames built in Python and
cross-joined to the versions, then filtered on the version interval: the Snowflake plan is a
plain range filter, and the local emulator avoids both expression joins and windows (see
EMULATORS.md for their cost there).

The usage marts read `daily_usage`, the facts summed per customer, plan and UTC day, not
every fact: their windows are whole days (EVENT_DATE is the UTC date of EVENT_TS), so the
sums are the same, over ~10x fewer rows.

Written for Snowflake: each mart is one INSERT over two shared intermediates the refresh
caches once (`daily_usage`, `version_transitions`: `materialize`, a temporary table), with no
per-mart emptiness probes or caches of results used once (each was a statement or two; the
refresh was 52 statements and 115 describes). Joins and aggregates go through the writer
seam's engine (`engine.join`, `aggregate`): plain SQL in Snowflake, one pandas pass in local
testing, whose emulator also answers CASE and DATE_TRUNC on an empty frame (compat).
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Optional

from snowflake.snowpark import Column, DataFrame
from snowflake.snowpark import functions as F
from snowflake.snowpark import types as T

from telco360 import contract
from telco360.warehouse.columns import conform, holds
from telco360.warehouse.seams import aggregate, backend_for
from telco360.warehouse.tables import NTZ, snowpark_type

MART_COLUMNS = contract.ANALYTICS_TABLES
VIEW_COLUMNS = contract.ANALYTICS_VIEWS
USAGE_WINDOW_DAYS = 30
RECENT_WINDOW_DAYS = 7
PLAN_CHANGE_WINDOW_DAYS = 90



def customer_versions(dim_customer: DataFrame) -> DataFrame:
    """Real versions only: the unknown member (-1) is not a customer."""
    return dim_customer.filter(F.col("CUSTOMER_SK") != F.lit(contract.UNKNOWN_CUSTOMER_SK))


def version_transitions(dim_customer: DataFrame) -> DataFrame:
    """Each version beside the one before it (matched on EFFECTIVE_TO = EFFECTIVE_FROM, which
    invariant 1 makes exact), flagged with the business events it starts."""
    versions = customer_versions(dim_customer)
    current = versions.select("CUSTOMER_ID", "EFFECTIVE_FROM", "PLAN_ID", "STATUS")
    previous = versions.select(
        F.col("CUSTOMER_ID"),
        F.col("EFFECTIVE_TO").alias("EFFECTIVE_FROM"),
        F.col("PLAN_ID").alias("PREV_PLAN_ID"),
        F.col("STATUS").alias("PREV_STATUS"),
    )
    paired = _join(current, previous, ["CUSTOMER_ID", "EFFECTIVE_FROM"], "left")
    return paired.select(
        "CUSTOMER_ID",
        "EFFECTIVE_FROM",
        "PLAN_ID",
        "STATUS",
        "PREV_PLAN_ID",
        "PREV_STATUS",
        (F.col("PREV_PLAN_ID").is_not_null() & (F.col("PREV_PLAN_ID") != F.col("PLAN_ID"))).alias("IS_PLAN_CHANGE"),
        _entered("CHURNED").alias("IS_CHURN"),
        _entered("SUSPENDED").alias("IS_SUSPENSION"),
    )


def _join(left: DataFrame, right: DataFrame, keys, how: str = "inner") -> DataFrame:
    """`left.join(right, on=keys, how=how)` through the writer seam's engine (a plain join in
    Snowflake, one pandas merge in local testing); the sides share no other column."""
    return backend_for(left.session).writer.join(left, right, list(keys), how)


def _transitions(dim_customer: DataFrame, shared: Optional[DataFrame]) -> DataFrame:
    return shared if shared is not None else version_transitions(dim_customer)


def _flag(condition: Column) -> Column:
    """1 where `condition` holds, else 0. Conditional sums are written as value * flag: the
    local emulator's IFF misaligns rows after a filter and its CASE with a non-numeric or
    mixed-type branch turns into VARIANT; a 0/1 factor behaves the same in both places."""
    return F.when(condition, F.lit(1)).otherwise(F.lit(0))


def _entered(status: str) -> Column:
    """The version has `status` and the one before it (if any) did not."""
    previous = F.col("PREV_STATUS")
    return (F.col("STATUS") == F.lit(status)) & (previous.is_null() | (previous != F.lit(status)))


def _plan_attributes(dim_plan: DataFrame) -> DataFrame:
    return dim_plan.select(
        "PLAN_ID", "PLAN_NAME", "PLAN_TYPE", "MONTHLY_FEE", "CURRENCY",
        "DATA_ALLOWANCE_GB", "VOICE_MINUTES", "SMS_ALLOWANCE", "CONTRACT_MONTHS",
    )


USAGE_METRICS = ("EVENTS", "DATA_MB", "VOICE_SECONDS", "SMS")


def _usage_columns() -> list[Column]:
    """Per event: 1, data MB, voice seconds and SMS (1/0). Computed per row before grouping and
    then summed as plain columns: local testing evaluates an expression inside an aggregate
    once per group, which is orders of magnitude slower."""
    kind = F.col("EVENT_TYPE")
    return [
        F.lit(1).alias("EVENTS"),
        (F.coalesce(F.col("DATA_MB"), F.lit(0)) * _flag(kind == F.lit("DATA"))).alias("DATA_MB"),
        (F.coalesce(F.col("DURATION_SEC"), F.lit(0)) * _flag(kind == F.lit("VOICE"))).alias("VOICE_SECONDS"),
        _flag(kind == F.lit("SMS")).alias("SMS"),
    ]


def _since(start: Column) -> Column:
    """1 for a `daily_usage` row on or after `start`, else 0."""
    return _flag(F.col("EVENT_DATE") >= start)


def _sums(names) -> dict[str, tuple[str, str]]:
    """Aggregations summing each column into itself, for `aggregate`."""
    return {name: ("sum", name) for name in names}


def _empty(session, columns: tuple[tuple[str, str, str], ...]) -> DataFrame:
    return session.create_dataframe([], T.StructType([T.StructField(n, snowpark_type(k)) for n, k, _ in columns]))


def _start_of_next_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


# ---------------------------------------------------------------------------------------
# Daily usage, the input of the usage marts


def daily_usage(fact: DataFrame) -> DataFrame:
    """One row per customer, plan (NULL for events of unknown customers) and EVENT_DATE with
    activity: EVENTS, DATA_MB, VOICE_SECONDS and SMS summed, and the day's LAST_EVENT_TS."""
    return aggregate(
        fact.select("CUSTOMER_ID", "PLAN_ID", "EVENT_DATE", "EVENT_TS", *_usage_columns()),
        ["CUSTOMER_ID", "PLAN_ID", "EVENT_DATE"],
        {**_sums(USAGE_METRICS), "LAST_EVENT_TS": ("max", "EVENT_TS")},
    )


# ---------------------------------------------------------------------------------------
# V_ACTIVITY_ENRICHED


def activity_enriched(fact: DataFrame, dim_customer: DataFrame, dim_plan: DataFrame) -> DataFrame:
    """Each fact with the customer version and plan attributes in force at EVENT_TS."""
    version = customer_versions(dim_customer).select(
        "CUSTOMER_SK",
        F.col("EFFECTIVE_FROM").alias("VERSION_EFFECTIVE_FROM"),
        F.col("EFFECTIVE_TO").alias("VERSION_EFFECTIVE_TO"),
        F.col("STATUS").alias("CUSTOMER_STATUS"),
        "CITY",
        "STATE",
        "COUNTRY",
    )
    facts = fact.select(
        "EVENT_ID", "EVENT_TS", "EVENT_DATE", "EVENT_TYPE", "DURATION_SEC", "DATA_MB",
        "CELL_ID", "ROAMING", "CUSTOMER_ID", "CUSTOMER_SK", "PLAN_ID",
    )
    enriched = facts.join(version, on="CUSTOMER_SK", how="left").join(
        _plan_attributes(dim_plan), on="PLAN_ID", how="left"
    )
    return conform(enriched, VIEW_COLUMNS["V_ACTIVITY_ENRICHED"])


# ---------------------------------------------------------------------------------------
# MART_PLAN_USAGE_DAILY


def plan_usage_daily(
    usage: DataFrame, dim_customer: DataFrame, dim_plan: DataFrame, refreshed_at: dt.datetime
) -> DataFrame:
    """Per UTC day (every day from the first to the last event) and plan: customers ACTIVE on
    the plan at the end of the day, usage attributed to the plan in force at each event, and a
    revenue proxy (active customers x monthly fee / days in the month). `usage`: `daily_usage`."""
    session = usage.session
    first_day, last_day = usage.agg(F.min("EVENT_DATE"), F.max("EVENT_DATE")).collect()[0]
    if first_day is None:
        return _empty(session, MART_COLUMNS["MART_PLAN_USAGE_DAILY"])
    days = session.create_dataframe(
        [
            (day, _start_of_next_day(day), calendar.monthrange(day.year, day.month)[1])
            for day in _days(first_day, last_day)
        ],
        T.StructType([
            T.StructField("ACTIVITY_DATE", T.DateType()),
            T.StructField("DAY_END", NTZ),
            T.StructField("DAYS_IN_MONTH", T.LongType()),
        ]),
    )
    # The version in force at the last instant of the day: [FROM, TO) contains DAY_END - epsilon.
    active = (
        customer_versions(dim_customer)
        .filter(F.col("STATUS") == F.lit("ACTIVE"))
        .select("CUSTOMER_ID", "PLAN_ID", "EFFECTIVE_FROM", "EFFECTIVE_TO")
        .cross_join(days.select("ACTIVITY_DATE", "DAY_END"))
        .filter(holds((F.col("EFFECTIVE_FROM") < F.col("DAY_END")) & (F.col("EFFECTIVE_TO") >= F.col("DAY_END"))))
    )
    day_plan = ("ACTIVITY_DATE", "PLAN_ID")
    active = aggregate(active, day_plan, {"ACTIVE_CUSTOMERS": ("count_distinct", "CUSTOMER_ID")})
    used = aggregate(
        usage.select(F.col("EVENT_DATE").alias("ACTIVITY_DATE"), "PLAN_ID", "CUSTOMER_ID", *USAGE_METRICS),
        day_plan,
        {"USING_CUSTOMERS": ("count_distinct", "CUSTOMER_ID"), **_sums(USAGE_METRICS)},
    )
    metrics = ("ACTIVE_CUSTOMERS", "USING_CUSTOMERS", *USAGE_METRICS)
    per_day = aggregate(
        _with_zeros(active, ("ACTIVE_CUSTOMERS",), metrics)
        .union_all_by_name(_with_zeros(used, ("USING_CUSTOMERS", *USAGE_METRICS), metrics)),
        day_plan,
        _sums(metrics),
    )
    combined = _join(
        _join(per_day, days.select("ACTIVITY_DATE", "DAYS_IN_MONTH"), ["ACTIVITY_DATE"], "left"),
        dim_plan.select("PLAN_ID", "PLAN_NAME", "PLAN_TYPE", "MONTHLY_FEE", "CURRENCY"),
        ["PLAN_ID"],
        "left",
    )
    mart = combined.select(
        "ACTIVITY_DATE",
        "PLAN_ID",
        "PLAN_NAME",
        "PLAN_TYPE",
        "ACTIVE_CUSTOMERS",
        "USING_CUSTOMERS",
        "EVENTS",
        "DATA_MB",
        (F.col("VOICE_SECONDS") / F.lit(60)).alias("VOICE_MINUTES"),
        F.col("SMS").alias("SMS_COUNT"),
        (
            F.col("ACTIVE_CUSTOMERS") * F.coalesce(F.col("MONTHLY_FEE"), F.lit(0)) / F.col("DAYS_IN_MONTH")
        ).alias("REVENUE_PROXY"),
        "CURRENCY",
        F.lit(refreshed_at, NTZ).alias("REFRESHED_AT"),
    )
    return conform(mart, MART_COLUMNS["MART_PLAN_USAGE_DAILY"])


def _days(first: dt.date | None, last: dt.date | None) -> list[dt.date]:
    if first is None or last is None:
        return []
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _with_zeros(frame: DataFrame, present: tuple[str, ...], metrics: tuple[str, ...]) -> DataFrame:
    """Add each metric not `present` as 0 so two partial aggregates can be unioned and summed.
    (`present` is passed, not read from `frame.columns`: locally that would run the plan.)"""
    return frame.with_columns([m for m in metrics if m not in present], [F.lit(0) for m in metrics if m not in present])


# ---------------------------------------------------------------------------------------
# MART_CUSTOMER_360


def customer_360(
    usage: DataFrame, dim_customer: DataFrame, dim_plan: DataFrame, as_of: dt.date, refreshed_at: dt.datetime,
    transitions: Optional[DataFrame] = None,
) -> DataFrame:
    """One row per customer: current attributes and plan, tenure, plan changes, last activity,
    usage over the 30 days ending `as_of`, and whether (and since when) they have churned.
    `usage`: `daily_usage`; `transitions`: `version_transitions(dim_customer)` when the caller
    shares it between marts."""
    transitions = _transitions(dim_customer, transitions)
    current = customer_versions(dim_customer).filter(F.col("IS_CURRENT")).select(
        "CUSTOMER_ID", "CUSTOMER_SK", "FIRST_NAME", "LAST_NAME", "EMAIL", "PHONE", "CITY", "STATE",
        "COUNTRY", "STATUS", "PLAN_ID", "SIGNUP_DATE",
    )
    history = aggregate(
        transitions.select("CUSTOMER_ID", _flag(F.col("IS_PLAN_CHANGE")).alias("PLAN_CHANGES")),
        ["CUSTOMER_ID"],
        {"VERSION_COUNT": ("count", "*"), "PLAN_CHANGES": ("sum", "PLAN_CHANGES")},
    )
    # The start of the current churn: the latest entry into CHURNED of a customer now churned.
    churn_dates = aggregate(
        _join(
            current.filter(F.col("STATUS") == F.lit("CHURNED")).select("CUSTOMER_ID"),
            transitions.filter(holds(F.col("IS_CHURN"))).select("CUSTOMER_ID", "EFFECTIVE_FROM"),
            ["CUSTOMER_ID"],
        ),
        ["CUSTOMER_ID"],
        {"CHURNED_AT": ("max", "EFFECTIVE_FROM")},
    ).select("CUSTOMER_ID", F.to_date(F.col("CHURNED_AT")).alias("CHURN_DATE"))
    in_window = _since(F.lit(as_of - dt.timedelta(days=USAGE_WINDOW_DAYS - 1)))
    activity = aggregate(
        usage.filter(F.col("EVENT_DATE") <= F.lit(as_of)).select(
            "CUSTOMER_ID", "LAST_EVENT_TS", *[(F.col(m) * in_window).alias(f"{m}_30D") for m in USAGE_METRICS]
        ),
        ["CUSTOMER_ID"],
        {"LAST_ACTIVITY_TS": ("max", "LAST_EVENT_TS"), **_sums(f"{m}_30D" for m in USAGE_METRICS)},
    )
    joined = current
    for per_customer in (history, activity, churn_dates):
        joined = _join(joined, per_customer, ["CUSTOMER_ID"], "left")
    joined = _join(joined, dim_plan.select("PLAN_ID", "PLAN_NAME", "PLAN_TYPE", "MONTHLY_FEE"), ["PLAN_ID"], "left")
    mart = joined.select(
        "CUSTOMER_ID", "CUSTOMER_SK", "FIRST_NAME", "LAST_NAME", "EMAIL", "PHONE", "CITY", "STATE", "COUNTRY",
        "STATUS", "PLAN_ID", "PLAN_NAME", "PLAN_TYPE", "MONTHLY_FEE", "SIGNUP_DATE",
        F.datediff("day", F.col("SIGNUP_DATE"), F.coalesce(F.col("CHURN_DATE"), F.lit(as_of))).alias("TENURE_DAYS"),
        "VERSION_COUNT",
        "PLAN_CHANGES",
        "LAST_ACTIVITY_TS",
        F.coalesce(F.col("EVENTS_30D"), F.lit(0)).alias("EVENTS_30D"),
        F.coalesce(F.col("DATA_MB_30D"), F.lit(0)).alias("DATA_MB_30D"),
        (F.coalesce(F.col("VOICE_SECONDS_30D"), F.lit(0)) / F.lit(60)).alias("VOICE_MINUTES_30D"),
        F.coalesce(F.col("SMS_30D"), F.lit(0)).alias("SMS_30D"),
        (F.col("STATUS") == F.lit("CHURNED")).alias("IS_CHURNED"),
        "CHURN_DATE",
        F.lit(as_of).alias("AS_OF_DATE"),
        F.lit(refreshed_at, NTZ).alias("REFRESHED_AT"),
    )
    return conform(mart, MART_COLUMNS["MART_CUSTOMER_360"])


# ---------------------------------------------------------------------------------------
# MART_CHURN_BY_PLAN


def churn_by_plan(
    usage: DataFrame, dim_customer: DataFrame, dim_plan: DataFrame, as_of: dt.date, refreshed_at: dt.datetime,
    transitions: Optional[DataFrame] = None,
) -> DataFrame:
    """Per month (from the first month with activity or churn up to `as_of`) and plan: churn
    events attributed to the plan of the version that entered CHURNED (the plan held at churn
    time), over the customers on that plan, not churned, at 00:00 on the 1st. `usage`:
    `daily_usage` (for the first month with activity); `transitions` as for `customer_360`."""
    session = usage.session
    entered = _transitions(dim_customer, transitions).filter(holds(F.col("IS_CHURN")))
    # Both starts in one query.
    first_churn, first_event = (
        entered.agg(F.min("EFFECTIVE_FROM").alias("FIRST_CHURN"))
        .cross_join(usage.agg(F.min("EVENT_DATE").alias("FIRST_EVENT")))
        .collect()[0]
    )
    starts = [d for d in (first_churn and first_churn.date(), first_event) if d is not None]
    if not starts:
        return _empty(session, MART_COLUMNS["MART_CHURN_BY_PLAN"])
    months = session.create_dataframe(
        [(month, dt.datetime.combine(month, dt.time())) for month in _months(min(starts), as_of)],
        T.StructType([T.StructField("CHURN_MONTH", T.DateType()), T.StructField("MONTH_START", NTZ)]),
    )
    at_start = aggregate(
        customer_versions(dim_customer)
        .filter(F.col("STATUS") != F.lit("CHURNED"))
        .select("CUSTOMER_ID", "PLAN_ID", "EFFECTIVE_FROM", "EFFECTIVE_TO")
        .cross_join(months)
        .filter(holds((F.col("EFFECTIVE_FROM") <= F.col("MONTH_START")) & (F.col("EFFECTIVE_TO") > F.col("MONTH_START")))),
        ["CHURN_MONTH", "PLAN_ID"],
        {"CUSTOMERS_AT_MONTH_START": ("count_distinct", "CUSTOMER_ID")},
    )
    # Every churn month is on or after the first month; the last month is the one of `as_of`.
    events = aggregate(
        entered.select(F.date_trunc("month", F.to_date(F.col("EFFECTIVE_FROM"))).alias("CHURN_MONTH"), "PLAN_ID")
        .filter(F.col("CHURN_MONTH") <= F.lit(as_of)),
        ["CHURN_MONTH", "PLAN_ID"],
        {"CHURN_EVENTS": ("count", "*")},
    )
    metrics = ("CUSTOMERS_AT_MONTH_START", "CHURN_EVENTS")
    combined = _join(
        aggregate(
            _with_zeros(at_start, ("CUSTOMERS_AT_MONTH_START",), metrics)
            .union_all_by_name(_with_zeros(events, ("CHURN_EVENTS",), metrics)),
            ["CHURN_MONTH", "PLAN_ID"],
            _sums(metrics),
        ),
        dim_plan.select("PLAN_ID", "PLAN_NAME"),
        ["PLAN_ID"],
        "left",
    )
    base = F.col("CUSTOMERS_AT_MONTH_START")
    mart = combined.select(
        "CHURN_MONTH",
        "PLAN_ID",
        "PLAN_NAME",
        "CUSTOMERS_AT_MONTH_START",
        "CHURN_EVENTS",
        F.when(base > F.lit(0), F.col("CHURN_EVENTS") / base).alias("CHURN_RATE"),
        F.lit(refreshed_at, NTZ).alias("REFRESHED_AT"),
    )
    return conform(mart, MART_COLUMNS["MART_CHURN_BY_PLAN"])


def _months(first: dt.date | None, last: dt.date) -> list[dt.date]:
    if first is None:
        return []
    month, months = first.replace(day=1), []
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


# ---------------------------------------------------------------------------------------
# MART_CUSTOMER_FEATURES


def customer_features(
    usage: DataFrame, dim_customer: DataFrame, as_of_dates: list[dt.date], refreshed_at: dt.datetime,
    transitions: Optional[DataFrame] = None,
) -> DataFrame:
    """Per customer not churned at the end of each as-of date D: churn-model features computed
    only from business time before D + 1 day (events by EVENT_DATE <= D, history by
    EFFECTIVE_FROM), so nothing that happened after D leaks in. `usage`: `daily_usage`;
    `transitions` as for `customer_360`."""
    as_of = _as_of_windows(usage.session, as_of_dates)
    keys = ["AS_OF_DATE", "CUSTOMER_ID"]
    joined = _join(
        _join(_not_churned_at(dim_customer, as_of), _usage_in_windows(usage, as_of), keys, "left"),
        _history_counts(_transitions(dim_customer, transitions), as_of),
        keys,
        "left",
    )

    def zero(name: str) -> Column:
        return F.coalesce(F.col(name), F.lit(0))

    mart = joined.select(
        "AS_OF_DATE",
        "CUSTOMER_ID",
        "PLAN_ID",
        "STATUS",
        F.datediff("day", F.col("SIGNUP_DATE"), F.col("AS_OF_DATE")).alias("TENURE_DAYS"),
        zero("EVENTS_7D").alias("EVENTS_7D"),
        zero("EVENTS_30D").alias("EVENTS_30D"),
        zero("DATA_MB_30D").alias("DATA_MB_30D"),
        zero("DATA_MB_PREV_30D").alias("DATA_MB_PREV_30D"),
        (zero("DATA_MB_30D") - zero("DATA_MB_PREV_30D")).alias("DATA_MB_TREND"),
        (zero("VOICE_SECONDS_30D") / F.lit(60)).alias("VOICE_MINUTES_30D"),
        zero("SMS_30D").alias("SMS_30D"),
        F.datediff("day", F.col("LAST_EVENT_DATE"), F.col("AS_OF_DATE")).alias("DAYS_SINCE_LAST_ACTIVITY"),
        zero("PLAN_CHANGES_TOTAL").alias("PLAN_CHANGES_TOTAL"),
        zero("PLAN_CHANGES_90D").alias("PLAN_CHANGES_90D"),
        zero("SUSPENSIONS_TOTAL").alias("SUSPENSIONS_TOTAL"),
        F.lit(refreshed_at, NTZ).alias("REFRESHED_AT"),
    )
    return conform(mart, MART_COLUMNS["MART_CUSTOMER_FEATURES"])


def _as_of_windows(session, as_of_dates: list[dt.date]) -> DataFrame:
    """One row per as-of date D: the end of D and where each feature window starts."""
    return session.create_dataframe(
        [
            (
                day,
                _start_of_next_day(day),
                day - dt.timedelta(days=RECENT_WINDOW_DAYS - 1),
                day - dt.timedelta(days=USAGE_WINDOW_DAYS - 1),
                day - dt.timedelta(days=2 * USAGE_WINDOW_DAYS - 1),
                _start_of_next_day(day - dt.timedelta(days=PLAN_CHANGE_WINDOW_DAYS)),
            )
            for day in as_of_dates
        ],
        T.StructType([
            T.StructField("AS_OF_DATE", T.DateType()),
            T.StructField("AS_OF_END", NTZ),
            T.StructField("WINDOW_7D_START", T.DateType()),
            T.StructField("WINDOW_30D_START", T.DateType()),
            T.StructField("WINDOW_60D_START", T.DateType()),
            T.StructField("WINDOW_90D_START", NTZ),
        ]),
    )


def _not_churned_at(dim_customer: DataFrame, as_of: DataFrame) -> DataFrame:
    """Each customer's version in force at the last instant of D, unless churned; its
    EFFECTIVE_TO only says "still open at D"."""
    return (
        customer_versions(dim_customer)
        .select("CUSTOMER_ID", "PLAN_ID", "STATUS", "SIGNUP_DATE", "EFFECTIVE_FROM", "EFFECTIVE_TO")
        .cross_join(as_of.select("AS_OF_DATE", "AS_OF_END"))
        .filter(holds(
            (F.col("EFFECTIVE_FROM") < F.col("AS_OF_END"))
            & (F.col("EFFECTIVE_TO") >= F.col("AS_OF_END"))
            & (F.col("STATUS") != F.lit("CHURNED"))
        ))
        .select("AS_OF_DATE", "CUSTOMER_ID", "PLAN_ID", "STATUS", "SIGNUP_DATE")
    )


def _usage_in_windows(usage: DataFrame, as_of: DataFrame) -> DataFrame:
    """Per as-of date and customer: usage in the 7- and 30-day windows ending at D, data in
    the 30 days before those, and the last day with any event (days after D never count)."""
    usage_metrics = ("EVENTS_7D", "EVENTS_30D", "DATA_MB_30D", "DATA_MB_PREV_30D", "VOICE_SECONDS_30D", "SMS_30D")
    known_days = usage.cross_join(as_of.select("AS_OF_DATE", "WINDOW_7D_START", "WINDOW_30D_START", "WINDOW_60D_START")).filter(
        holds(F.col("EVENT_DATE") <= F.col("AS_OF_DATE"))
    )
    last_30d = _since(F.col("WINDOW_30D_START"))
    return aggregate(
        known_days.select(
            "AS_OF_DATE",
            "CUSTOMER_ID",
            "EVENT_DATE",
            (F.col("EVENTS") * _since(F.col("WINDOW_7D_START"))).alias("EVENTS_7D"),
            (F.col("EVENTS") * last_30d).alias("EVENTS_30D"),
            (F.col("DATA_MB") * last_30d).alias("DATA_MB_30D"),
            (F.col("DATA_MB") * _since(F.col("WINDOW_60D_START")) * (F.lit(1) - last_30d)).alias("DATA_MB_PREV_30D"),
            (F.col("VOICE_SECONDS") * last_30d).alias("VOICE_SECONDS_30D"),
            (F.col("SMS") * last_30d).alias("SMS_30D"),
        ),
        ["AS_OF_DATE", "CUSTOMER_ID"],
        {**_sums(usage_metrics), "LAST_EVENT_DATE": ("max", "EVENT_DATE")},
    )


def _history_counts(transitions: DataFrame, as_of: DataFrame) -> DataFrame:
    """Per as-of date and customer: plan changes (all, last 90 days) and suspensions that
    began before the end of D. `transitions`: `version_transitions`."""
    return aggregate(
        transitions
        .cross_join(as_of.select("AS_OF_DATE", "AS_OF_END", "WINDOW_90D_START"))
        .filter(holds(F.col("EFFECTIVE_FROM") < F.col("AS_OF_END")))
        .select(
            "AS_OF_DATE",
            "CUSTOMER_ID",
            _flag(F.col("IS_PLAN_CHANGE")).alias("PLAN_CHANGES_TOTAL"),
            _flag(F.col("IS_PLAN_CHANGE") & (F.col("EFFECTIVE_FROM") >= F.col("WINDOW_90D_START"))).alias(
                "PLAN_CHANGES_90D"
            ),
            _flag(F.col("IS_SUSPENSION")).alias("SUSPENSIONS_TOTAL"),
        ),
        ["AS_OF_DATE", "CUSTOMER_ID"],
        _sums(("PLAN_CHANGES_TOTAL", "PLAN_CHANGES_90D", "SUSPENSIONS_TOTAL")),
    )
