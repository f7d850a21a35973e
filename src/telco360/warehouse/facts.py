"""FACT_ACTIVITY (point in time) as pure Snowpark DataFrame transforms.

A fact's CUSTOMER_SK/PLAN_ID are those of the customer version whose half-open interval
[EFFECTIVE_FROM, EFFECTIVE_TO) contains EVENT_TS, -1/NULL when none does. The interval
lookup is a join on CUSTOMER_ID followed by a range filter (never a range join, which local
testing runs as a cross join)."""
from __future__ import annotations

import datetime as dt

from snowflake.snowpark import DataFrame
from snowflake.snowpark import functions as F
from snowflake.snowpark.types import LongType, StringType

from telco360.warehouse.seams import Engine, SnowparkEngine
from telco360.warehouse.columns import UNKNOWN_SK, holds, without_matches
from telco360.warehouse.tables import FACT_ACTIVITY, NTZ, column_list

EVENT_ID = "EVENT_ID"
CUSTOMER_ID = "CUSTOMER_ID"
CUSTOMER_SK = "CUSTOMER_SK"
SNOWPARK = SnowparkEngine()
EVENT_COLUMNS = tuple(c for c in column_list(FACT_ACTIVITY) if c not in (CUSTOMER_SK, "PLAN_ID", "LOADED_AT"))


def staged_events(staged: DataFrame, engine: Engine = SNOWPARK) -> DataFrame:
    """STG_ACTIVITY as fact attributes; identical rows collapse."""
    return engine.distinct(staged, EVENT_COLUMNS)


def customer_versions(dim_customer: DataFrame) -> DataFrame:
    return dim_customer.filter(holds(F.col(CUSTOMER_SK) != F.lit(UNKNOWN_SK))).select(
        CUSTOMER_ID, CUSTOMER_SK, "PLAN_ID", "EFFECTIVE_FROM", "EFFECTIVE_TO"
    )


def attach_facts_to_versions(
    events: DataFrame, versions: DataFrame, engine: Engine = SNOWPARK, carried: tuple[str, ...] = ()
) -> DataFrame:
    """`events` (EVENT_COLUMNS, plus the `carried` columns) with CUSTOMER_SK and PLAN_ID of the
    version containing EVENT_TS; -1 and NULL where no version of the customer contains it."""
    hits = engine.join(
        events.select(EVENT_ID, CUSTOMER_ID, "EVENT_TS"),
        versions.select(CUSTOMER_ID, F.col(CUSTOMER_SK).alias("V_SK"), F.col("PLAN_ID").alias("V_PLAN_ID"),
                        "EFFECTIVE_FROM", "EFFECTIVE_TO"),
        [CUSTOMER_ID],
    ).filter(holds((F.col("EFFECTIVE_FROM") <= F.col("EVENT_TS")) & (F.col("EVENT_TS") < F.col("EFFECTIVE_TO"))))
    attached = engine.join(
        events.select(*EVENT_COLUMNS, *carried), hits.select(EVENT_ID, "V_SK", "V_PLAN_ID"), [EVENT_ID], "left"
    )
    return attached.select(
        *EVENT_COLUMNS,
        *carried,
        F.coalesce(F.col("V_SK"), F.lit(UNKNOWN_SK)).cast(LongType()).alias(CUSTOMER_SK),
        F.col("V_PLAN_ID").cast(StringType()).alias("PLAN_ID"),
    )


def new_facts(
    events: DataFrame, facts: DataFrame, versions: DataFrame, loaded_at: dt.datetime, engine: Engine = SNOWPARK
) -> DataFrame:
    """Events whose EVENT_ID is not in the fact table yet (redeliveries are ignored),
    attached to their versions."""
    unseen = without_matches(events, facts, EVENT_ID)
    return _with_loaded_at(attach_facts_to_versions(unseen, versions, engine), loaded_at)


def customers_to_rekey(touched_ids: DataFrame, facts: DataFrame, versions: DataFrame, engine: Engine = SNOWPARK) -> DataFrame:
    """CUSTOMER_IDs whose facts may point at the wrong version: the customers the batch
    touched, and customers with -1 facts who now have versions."""
    orphans = engine.distinct(facts.filter(holds(F.col(CUSTOMER_SK) == F.lit(UNKNOWN_SK))), [CUSTOMER_ID]).join(
        engine.distinct(versions, [CUSTOMER_ID]), on=CUSTOMER_ID
    )
    return engine.distinct(touched_ids.select(CUSTOMER_ID).union_all(orphans), [CUSTOMER_ID])


def rekeyed_facts(
    facts: DataFrame, customer_ids: DataFrame, versions: DataFrame, loaded_at: dt.datetime, engine: Engine = SNOWPARK
) -> DataFrame:
    """Existing facts of `customer_ids` whose version (CUSTOMER_SK or PLAN_ID) is no longer
    the one containing EVENT_TS, with the right one."""
    candidates = engine.join(facts, customer_ids.select(CUSTOMER_ID), [CUSTOMER_ID]).select(
        *EVENT_COLUMNS, F.col(CUSTOMER_SK).alias("OLD_SK"), F.col("PLAN_ID").alias("OLD_PLAN_ID")
    )
    # The old key rides along the re-attachment instead of a second join of the candidates.
    reattached = attach_facts_to_versions(candidates, versions, engine, carried=("OLD_SK", "OLD_PLAN_ID"))
    moved = (F.col(CUSTOMER_SK) != F.col("OLD_SK")) | ~engine.equal_null(F.col("PLAN_ID"), F.col("OLD_PLAN_ID"), "VARCHAR")
    return _with_loaded_at(reattached.filter(holds(moved)), loaded_at)


def _with_loaded_at(df: DataFrame, loaded_at: dt.datetime) -> DataFrame:
    # A typed literal, not lit(...).cast(...): local testing casts a broadcast literal row by
    # row (2 s per 100k facts).
    return df.select(
        [F.lit(loaded_at, NTZ).alias(c) if c == "LOADED_AT" else F.col(c) for c in column_list(FACT_ACTIVITY)]
    )
