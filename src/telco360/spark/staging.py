"""Job B's pure transforms: clean rows -> the three staging tables of `contract.STAGING_TABLES`.

Delivery order (the contract's tie rule) is extract date, then file name, then line number,
then ingest date (a file sent again under an archived name is a later delivery).
"""
from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from telco360 import contract
from telco360.spark.schemas import staging_schema

DELIVERY_ORDER = ("extract_date", "source_file", "source_line", "ingest_date")


def _business_columns(clean: DataFrame) -> list[str]:
    lineage = set(contract.LINEAGE_COLUMNS) | {"clean_run_id"}
    return [name for name in clean.columns if name not in lineage]


def collapse_customer_redeliveries(customers: DataFrame) -> DataFrame:
    """One row per distinct (customer, updated_at, attributes); every state change is kept.

    The surviving copy carries the lineage of the *last* delivery: under the tie rule
    (same instant, different attributes -> the one delivered last wins) a record that was
    delivered again after a rival must still win, so collapsing it onto its first delivery
    would hand the tie to the rival.
    """
    attributes = _business_columns(customers)
    last = F.max(F.struct(*[F.col(c) for c in DELIVERY_ORDER])).alias("_last")
    return customers.groupBy(*attributes).agg(last).select(
        *attributes, *[F.col(f"_last.{c}").alias(c) for c in DELIVERY_ORDER]
    )


def flag_plan_in_catalog(customers: DataFrame, plans_history: DataFrame) -> DataFrame:
    """PLAN_IN_CATALOG: has any catalog ever delivered the customer's plan id."""
    delivered = plans_history.select("plan_id").distinct().withColumn("plan_in_catalog", F.lit(True))
    return customers.join(F.broadcast(delivered), "plan_id", "left").withColumn(
        "plan_in_catalog", F.coalesce(F.col("plan_in_catalog"), F.lit(False))
    )


def latest_plan_states(plans_history: DataFrame) -> DataFrame:
    """Each plan id ever delivered, at its latest state, with its membership of the newest catalog.

    Latest = greatest `updated_at`, ties broken by delivery order. The newest snapshot is
    every catalog file of the greatest extract date (a same-day correction file included).
    """
    newest = plans_history.agg(F.max("extract_date").alias("catalog_extract_date"))
    in_newest = (
        plans_history.join(newest, plans_history["extract_date"] == newest["catalog_extract_date"])
        .select("plan_id")
        .distinct()
        .withColumn("in_latest_catalog", F.lit(True))
    )
    order = [F.col("updated_at").desc()] + [F.col(c).desc() for c in DELIVERY_ORDER]
    latest = plans_history.withColumn(
        "_rank", F.row_number().over(Window.partitionBy("plan_id").orderBy(*order))
    ).where("_rank = 1")
    return (
        latest.crossJoin(newest)
        .join(in_newest, "plan_id", "left")
        .withColumn("in_latest_catalog", F.coalesce(F.col("in_latest_catalog"), F.lit(False)))
        .withColumnRenamed("updated_at", "source_updated_at")
    )


def first_delivery_per_event(activity: DataFrame) -> DataFrame:
    """One row per event_id: its earliest delivery (at-least-once delivery collapses)."""
    columns = [c for c in activity.columns if c != "event_id"]
    first = F.min_by(F.struct(*columns), F.struct(*DELIVERY_ORDER)).alias("_first")
    return activity.groupBy("event_id").agg(first).select("event_id", *[F.col(f"_first.{c}").alias(c) for c in columns])


def batch_activity_events(activity: DataFrame) -> DataFrame:
    """The batch's events, once each, with EVENT_DATE = UTC date of EVENT_TS.

    An event an earlier run staged may come again (a redelivery, a reprocessed date): the
    warehouse inserts only EVENT_IDs FACT_ACTIVITY does not hold, so Job B reads no earlier
    snapshot and its work follows the batch, not the age of the lake.
    """
    return first_delivery_per_event(activity).withColumn("event_date", F.to_date("event_ts"))


def to_staging_table(frame: DataFrame, table: str) -> DataFrame:
    """Exactly the contract's columns, in order, upper-case, cast to the staging types.

    Timestamps become TIMESTAMP_NTZ holding the UTC wall-clock time (the session zone is UTC).
    """
    return frame.select(
        *[F.col(field.name.lower()).cast(field.dataType).alias(field.name) for field in staging_schema(table).fields]
    )


def build_stg_customers(new_customers: DataFrame, plans_history: DataFrame) -> DataFrame:
    collapsed = collapse_customer_redeliveries(new_customers)
    return to_staging_table(flag_plan_in_catalog(collapsed, plans_history), "STG_CUSTOMERS")


def build_stg_plans(plans_history: DataFrame) -> DataFrame:
    return to_staging_table(latest_plan_states(plans_history), "STG_PLANS")


def build_stg_activity(new_activity: DataFrame) -> DataFrame:
    return to_staging_table(batch_activity_events(new_activity), "STG_ACTIVITY")
