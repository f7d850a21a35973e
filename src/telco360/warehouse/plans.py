"""DIM_PLAN (type 1) as pure Snowpark DataFrame transforms."""
from __future__ import annotations

import datetime as dt

from snowflake.snowpark import DataFrame
from snowflake.snowpark import functions as F

from telco360.warehouse.seams import Engine, SnowparkEngine
from telco360.warehouse.columns import all_equal, holds, typed_null, without_matches
from telco360.warehouse.tables import DIM_PLAN, NTZ, column_list

PLAN_ID = "PLAN_ID"
SNOWPARK = SnowparkEngine()
ATTRIBUTES = (
    "PLAN_NAME", "PLAN_TYPE", "MONTHLY_FEE", "CURRENCY", "DATA_ALLOWANCE_GB",
    "VOICE_MINUTES", "SMS_ALLOWANCE", "CONTRACT_MONTHS",
)
COMPARED = (*ATTRIBUTES, "IS_ACTIVE", "IS_INFERRED", "SOURCE_UPDATED_AT")


def delivered_plans(staged: DataFrame) -> DataFrame:
    """STG_PLANS (every plan ever delivered, latest state) as DIM_PLAN rows; IS_ACTIVE is
    membership of the newest catalog snapshot."""
    return staged.select(
        PLAN_ID,
        *ATTRIBUTES,
        F.coalesce(F.col("IN_LATEST_CATALOG"), F.lit(False)).alias("IS_ACTIVE"),
        F.lit(False).alias("IS_INFERRED"),
        F.col("SOURCE_UPDATED_AT").cast(NTZ).alias("SOURCE_UPDATED_AT"),
    )


def inferred_plans(
    referenced_ids: DataFrame, dim_plan: DataFrame, delivered: DataFrame, engine: Engine = SNOWPARK
) -> DataFrame:
    """Plans referenced by customers that neither the DW nor this catalog knows: a row with
    NULL attributes, IS_INFERRED = TRUE and IS_ACTIVE = FALSE, overwritten when the real
    catalog row arrives."""
    referenced = engine.distinct(referenced_ids.filter(holds(F.col(PLAN_ID).is_not_null())), [PLAN_ID])
    unknown = without_matches(without_matches(referenced, dim_plan, PLAN_ID), delivered, PLAN_ID)
    return unknown.select(
        PLAN_ID,
        *[typed_null(DIM_PLAN, c).alias(c) for c in ATTRIBUTES],
        F.lit(False).alias("IS_ACTIVE"),
        F.lit(True).alias("IS_INFERRED"),
        typed_null(DIM_PLAN, "SOURCE_UPDATED_AT").alias("SOURCE_UPDATED_AT"),
    )


def plan_dimension_upserts(
    delivered: DataFrame, inferred: DataFrame, dim_plan: DataFrame, loaded_at: dt.datetime, engine: Engine = SNOWPARK
) -> DataFrame:
    """Rows to upsert: delivered plans that are new or differ from their row (an older
    state than the one held, e.g. a replayed old snapshot, never overwrites a newer one),
    plus inferred rows."""
    previous = dim_plan.select(PLAN_ID, F.lit(True).alias("EXISTED"), *[F.col(c).alias("OLD_" + c) for c in COMPARED])
    joined = delivered.join(previous, on=PLAN_ID, how="left")
    older = (
        F.col("EXISTED").is_not_null()
        & ~F.col("OLD_IS_INFERRED")
        & (F.col("SOURCE_UPDATED_AT") < F.col("OLD_SOURCE_UPDATED_AT"))
    )
    changed = F.col("EXISTED").is_null() | ~all_equal(joined, DIM_PLAN, COMPARED, "OLD_", engine.equal_null)
    columns = [c for c in column_list(DIM_PLAN) if c != "LOADED_AT"]
    return (
        joined.filter(holds(changed & ~F.coalesce(older, F.lit(False))))
        .select(columns)
        .union_all_by_name(inferred.select(columns))
        .with_column("LOADED_AT", F.lit(loaded_at, NTZ))
    )
