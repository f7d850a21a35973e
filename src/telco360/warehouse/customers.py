"""DIM_CUSTOMER (SCD type 2) as pure Snowpark DataFrame transforms.

The history of a customer is rebuilt from every record ever received for it
(DW.CUSTOMER_STATE_HISTORY), so it depends only on the set of records, never on how they
were split into files or in which order they arrived (invariant 3). Only the customers a
batch touches are rebuilt; the result is compared with their existing versions so that
unchanged versions keep their surrogate keys, and only changed rows are written.

Engine notes (both engines run this code): joins are on column names (`engine.join`: a plain
join in Snowflake, one pandas merge locally), ranges are filters after them, and the
"previous" and "next" records and the sequence of new versions are `engine.window` columns:
LAG/LEAD/ROW_NUMBER in Snowflake, one pandas sort locally (local testing runs a partitioned
window one partition at a time, minutes at 10k customers).
"""
from __future__ import annotations

import datetime as dt

from snowflake.snowpark import DataFrame
from snowflake.snowpark import functions as F
from snowflake.snowpark.types import LongType, StringType

from telco360 import contract
from telco360.warehouse.seams import Engine, SnowparkEngine
from telco360.warehouse.columns import HIGH_TIMESTAMP, UNKNOWN_SK, all_equal, holds, typed_null, without_matches
from telco360.warehouse.tables import CUSTOMER_STATE_HISTORY, DIM_CUSTOMER, NTZ, column_list

CUSTOMER_ID = "CUSTOMER_ID"
UPDATED_AT = "UPDATED_AT"
CUSTOMER_SK = "CUSTOMER_SK"
TRACKED = contract.TRACKED_CUSTOMER_COLUMNS
TYPE1 = contract.TYPE1_CUSTOMER_COLUMNS
# The contract's delivery order, compared key by key: extract date, file name, line, then
# ingest date (a file sent again under the same name is delivered later).
DELIVERY_ORDER = ("EXTRACT_DATE", "SOURCE_FILE", "SOURCE_LINE", "INGEST_DATE")
# One delivered record: its archive key (ingest date + file name) and line.
RECORD_KEY = ("INGEST_DATE", "SOURCE_FILE", "SOURCE_LINE")
RECORD_COLUMNS = tuple(c for c in column_list(CUSTOMER_STATE_HISTORY) if c != "LOADED_AT")
# Surrogate key = customer number * 10^6 + version sequence of that customer: unique,
# computed with joins only (no global sequence or global window, quadratic in local testing).
VERSIONS_PER_CUSTOMER = 1_000_000
SNOWPARK = SnowparkEngine()
_FREE_TEXT = ("PHONE", "ADDRESS_LINE1", "CITY", "STATE", "POSTAL_CODE", "COUNTRY")


def _clean_text(column):
    """Trimmed; an empty string is NULL, so '' and NULL never open a version."""
    trimmed = F.trim(column)
    return F.iff(trimmed == F.lit(""), F.lit(None).cast(StringType()), trimmed)


def normalize_customer_records(staged: DataFrame) -> DataFrame:
    """STG_CUSTOMERS rows as history records with normalized tracked attributes: EMAIL
    trimmed lower-case, STATUS upper-case, free text trimmed with '' as NULL."""
    normalized = {
        "EMAIL": F.lower(_clean_text(F.col("EMAIL"))),
        "STATUS": F.upper(F.trim(F.col("STATUS"))),
        "PLAN_ID": F.trim(F.col("PLAN_ID")),
        **{name: _clean_text(F.col(name)) for name in _FREE_TEXT},
    }
    return staged.select(
        [normalized[c].alias(c) if c in normalized else F.col(c) for c in RECORD_COLUMNS]
    )


def new_history_records(
    batch: DataFrame, history: DataFrame, loaded_at: dt.datetime, engine: Engine = SNOWPARK
) -> DataFrame:
    """Records of the batch not yet in the history (a redelivered file adds nothing)."""
    unseen = without_matches(engine.distinct(batch, RECORD_COLUMNS), history, RECORD_KEY)
    return unseen.with_column("LOADED_AT", F.lit(loaded_at, NTZ))


def last_delivered_per_instant(records: DataFrame, engine: Engine = SNOWPARK) -> DataFrame:
    """One record per customer and UPDATED_AT: of a tie, the one delivered last (by extract
    date, then file name, then line, then ingest date). Identical records collapse the same way."""
    return engine.latest_per_key(records, [CUSTOMER_ID, UPDATED_AT], DELIVERY_ORDER)


def change_points(records: DataFrame, engine: Engine = SNOWPARK) -> DataFrame:
    """Records (one per instant) that open a version: the first of each customer, and each
    whose tracked attributes differ, null-safely, from the record just before it (the
    record before carries the tracked state in force at that instant)."""
    previous = {"PREV_AT": ("previous", UPDATED_AT), **{"PREV_" + c: ("previous", c) for c in TRACKED}}
    paired = engine.window(records.select(CUSTOMER_ID, UPDATED_AT, *TRACKED), [CUSTOMER_ID], [UPDATED_AT], previous)
    opens_version = F.col("PREV_AT").is_null() | ~all_equal(paired, DIM_CUSTOMER, TRACKED, "PREV_", engine.equal_null)
    return paired.filter(holds(opens_version)).select(CUSTOMER_ID, UPDATED_AT, "PREV_AT", *TRACKED)


def latest_corrections(records: DataFrame, engine: Engine = SNOWPARK) -> DataFrame:
    """Per customer, the type-1 attributes (and SIGNUP_DATE) of its latest record."""
    return engine.latest_per_key(records, [CUSTOMER_ID], [UPDATED_AT]).select(CUSTOMER_ID, *TYPE1, "SIGNUP_DATE")


def build_customer_versions(records: DataFrame, engine: Engine = SNOWPARK) -> DataFrame:
    """All versions of the customers in `records` (every record ever received for them):
    CUSTOMER_ID, type-1 attributes, SIGNUP_DATE, tracked attributes, EFFECTIVE_FROM,
    EFFECTIVE_TO, IS_CURRENT. The first version starts at the earlier of SIGNUP_DATE 00:00
    and the first UPDATED_AT; each later one at the UPDATED_AT of the record that opened it
    and ends where the next one starts; the current one ends at 9999-12-31."""
    winners = engine.materialize(last_delivered_per_instant(records, engine))
    points = engine.window(change_points(winners, engine), [CUSTOMER_ID], [UPDATED_AT], {"NEXT_AT": ("next", UPDATED_AT)})
    versions = engine.join(points, latest_corrections(winners, engine), [CUSTOMER_ID])
    signup_start = F.col("SIGNUP_DATE").cast(NTZ)
    effective_from = F.iff(
        F.col("PREV_AT").is_null(),
        F.iff(signup_start < F.col(UPDATED_AT), signup_start, F.col(UPDATED_AT)),
        F.col(UPDATED_AT),
    )
    return versions.select(
        CUSTOMER_ID,
        *TYPE1,
        *TRACKED,
        "SIGNUP_DATE",
        effective_from.cast(NTZ).alias("EFFECTIVE_FROM"),
        F.coalesce(F.col("NEXT_AT"), F.lit(HIGH_TIMESTAMP, NTZ)).cast(NTZ).alias("EFFECTIVE_TO"),
        F.col("NEXT_AT").is_null().alias("IS_CURRENT"),
    )


def assign_surrogate_keys(versions: DataFrame, existing: DataFrame, engine: Engine = SNOWPARK) -> DataFrame:
    """CUSTOMER_SK for each rebuilt version: an existing version with the same customer,
    EFFECTIVE_FROM and tracked attributes keeps its key; every other version gets the next
    unused sequence number of its customer, in EFFECTIVE_FROM order."""
    start = ["CUSTOMER_ID", "EFFECTIVE_FROM"]
    previous = existing.select(
        *start, F.col(CUSTOMER_SK).alias("OLD_SK"), *[F.col(c).alias("OLD_" + c) for c in TRACKED]
    )
    matched = engine.join(versions, previous, start, "left")
    unchanged = F.col("OLD_SK").is_not_null() & all_equal(matched, DIM_CUSTOMER, TRACKED, "OLD_", engine.equal_null)
    # One pass: the sequence numbers count the new versions only (partitioned by KEPT too).
    flagged = matched.with_column("KEPT", unchanged)
    ranked = engine.window(flagged, [CUSTOMER_ID, "KEPT"], ["EFFECTIVE_FROM"], {"RANK": ("row_number", "*")})
    highest = engine.aggregate(existing, [CUSTOMER_ID], {"HIGHEST_SK": ("max", CUSTOMER_SK)})
    customer_base = F.substr(F.col(CUSTOMER_ID), 2, 7).cast(LongType()) * F.lit(VERSIONS_PER_CUSTOMER)
    new_sk = F.coalesce(F.col("HIGHEST_SK"), customer_base) + F.col("RANK")
    numbered = engine.join(ranked, highest, [CUSTOMER_ID], "left").with_column(
        CUSTOMER_SK, F.iff(F.col("KEPT"), F.col("OLD_SK"), new_sk).cast(LongType())
    )
    return numbered.select([c for c in column_list(DIM_CUSTOMER) if c != "LOADED_AT"])


def customer_dimension_changes(
    versions: DataFrame, existing: DataFrame, loaded_at: dt.datetime, engine: Engine = SNOWPARK
) -> tuple[DataFrame, DataFrame]:
    """(rows to upsert, keys to delete) turning the touched customers' existing rows into
    `versions`: new versions, versions whose end, current flag or type-1 attributes changed,
    and existing versions that no longer exist (retired by a re-shaped history)."""
    compared = ("EFFECTIVE_TO", "IS_CURRENT", "SIGNUP_DATE", *TYPE1)
    previous = existing.select(
        CUSTOMER_SK, F.lit(True).alias("EXISTED"), *[F.col(c).alias("OLD_" + c) for c in compared]
    )
    joined = versions.join(previous, on=CUSTOMER_SK, how="left")
    changed = F.col("EXISTED").is_null() | ~all_equal(joined, DIM_CUSTOMER, compared, "OLD_", engine.equal_null)
    upserts = joined.filter(holds(changed)).select(
        *[c for c in column_list(DIM_CUSTOMER) if c != "LOADED_AT"],
        F.lit(loaded_at, NTZ).alias("LOADED_AT"),
    )
    deletes = without_matches(existing.select(CUSTOMER_SK), versions, CUSTOMER_SK)
    return upserts, deletes


def unknown_member(session, loaded_at: dt.datetime) -> DataFrame:
    """The CUSTOMER_SK = -1 row that facts without a version point to."""
    values = {
        CUSTOMER_SK: F.lit(UNKNOWN_SK).cast(LongType()),
        "EFFECTIVE_FROM": F.lit(dt.datetime(1900, 1, 1), NTZ),
        "EFFECTIVE_TO": F.lit(HIGH_TIMESTAMP, NTZ),
        "IS_CURRENT": F.lit(True),
        "LOADED_AT": F.lit(loaded_at, NTZ),
    }
    return session.create_dataframe([[UNKNOWN_SK]], schema=["ONE"]).select(
        [values[c].alias(c) if c in values else typed_null(DIM_CUSTOMER, c).alias(c) for c in column_list(DIM_CUSTOMER)]
    )
