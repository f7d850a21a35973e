"""The data contract (../shared/contract/DATA_CONTRACT.md) as one machine-readable module.

Standard library only: the Lambda validator, the Glue jobs, the Snowpark procedures, the
DDL tests and the generator all read this module, so nothing here may import Spark,
Snowpark, pandas or boto3.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

DATABASE = "TELCO_DB"
STAGING_SCHEMA = "STAGING"
DW_SCHEMA = "DW"

CUSTOMERS = "customers"
PLANS = "plans"
ACTIVITY_LOGS = "activity_logs"
DATASETS = (CUSTOMERS, PLANS, ACTIVITY_LOGS)

NDJSON = "ndjson"
CSV = "csv"

# Logical field types, mapped by each runtime to its own type system.
STRING = "string"
DATE = "date"  # YYYY-MM-DD
TIMESTAMP = "timestamp"  # ISO-8601, with Z or an offset where `needs_offset`
DECIMAL = "decimal"
INTEGER = "integer"
BOOLEAN = "boolean"
OBJECT = "object"

# Lake zones: the local lake folder is laid out exactly like the bucket.
RAW = "raw"
ARCHIVE = "archive"
REJECTED = "rejected"
CLEAN = "clean"
STAGING = "staging"
QUARANTINE = "_quarantine"

HIGH_TIMESTAMP = "9999-12-31 00:00:00"  # EFFECTIVE_TO of the current version
UNKNOWN_CUSTOMER_SK = -1


@dataclass(frozen=True)
class Field:
    name: str  # as delivered by the source
    type: str
    required: bool = False
    pattern: Optional[str] = None  # full-match regex on the (trimmed) string value
    domain: Optional[tuple[str, ...]] = None  # accepted values, compared upper-cased
    minimum: Optional[float] = None
    members: tuple[str, ...] = ()  # for OBJECT fields
    needs_offset: bool = False  # timestamps that must carry Z or an explicit offset
    required_when: Optional[tuple[str, str]] = None  # (other field, upper-cased value)
    default: object = None
    column: Optional[str] = None  # snake_case name in clean/ (defaults to name)
    lower_case: bool = False  # stored lower-cased after trimming (e.g. email)

    @property
    def clean_name(self) -> str:
        return self.column or self.name


@dataclass(frozen=True)
class Dataset:
    name: str
    system: str
    format: str
    extensions: tuple[str, ...]
    fields: tuple[Field, ...]
    natural_key: str

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")


CUSTOMER_ID_PATTERN = r"C\d{7}"
E164_PATTERN = r"\+[1-9]\d{1,14}"
CUSTOMER_STATUSES = ("ACTIVE", "SUSPENDED", "CHURNED")
PLAN_TYPES = ("PREPAID", "POSTPAID")
EVENT_TYPES = ("DATA", "VOICE", "SMS")
ADDRESS_MEMBERS = ("line1", "city", "state", "postalCode", "country")

CUSTOMERS_DATASET = Dataset(
    name=CUSTOMERS,
    system="CRM",
    format=NDJSON,
    extensions=(".ndjson", ".jsonl"),
    natural_key="customerId",
    fields=(
        Field("customerId", STRING, required=True, pattern=CUSTOMER_ID_PATTERN, column="customer_id"),
        Field("firstName", STRING, required=True, column="first_name"),
        Field("lastName", STRING, required=True, column="last_name"),
        Field("email", STRING, lower_case=True),
        Field("phone", STRING, pattern=E164_PATTERN),
        Field("address", OBJECT, members=ADDRESS_MEMBERS),
        Field("dateOfBirth", DATE, column="date_of_birth"),
        Field("planId", STRING, required=True, column="plan_id"),
        Field("status", STRING, required=True, domain=CUSTOMER_STATUSES),
        Field("signupDate", DATE, required=True, column="signup_date"),
        Field("updatedAt", TIMESTAMP, required=True, needs_offset=True, column="updated_at"),
    ),
)

PLANS_DATASET = Dataset(
    name=PLANS,
    system="Billing",
    format=CSV,
    extensions=(".csv",),
    natural_key="plan_id",
    fields=(
        Field("plan_id", STRING, required=True),
        Field("plan_name", STRING, required=True),
        Field("plan_type", STRING, required=True, domain=PLAN_TYPES),
        Field("monthly_fee", DECIMAL, required=True, minimum=0),
        Field("currency", STRING, required=True, pattern=r"[A-Z]{3}"),
        Field("data_allowance_gb", DECIMAL, minimum=0),
        Field("voice_minutes", INTEGER, minimum=0),
        Field("sms_allowance", INTEGER, minimum=0),
        Field("contract_months", INTEGER, required=True, minimum=0),
        Field("updated_at", TIMESTAMP, required=True),
    ),
)

ACTIVITY_DATASET = Dataset(
    name=ACTIVITY_LOGS,
    system="Network",
    format=NDJSON,
    extensions=(".ndjson", ".jsonl"),
    natural_key="event_id",
    fields=(
        Field("event_id", STRING, required=True),
        Field("customer_id", STRING, required=True, pattern=CUSTOMER_ID_PATTERN),
        Field("event_type", STRING, required=True, domain=EVENT_TYPES),
        Field("event_ts", TIMESTAMP, required=True, needs_offset=True),
        Field("duration_sec", INTEGER, minimum=0, required_when=("event_type", "VOICE")),
        Field("data_mb", DECIMAL, minimum=0, required_when=("event_type", "DATA")),
        Field("cell_id", STRING),
        Field("roaming", BOOLEAN, default=False),
    ),
)

DATASET_SPECS: dict[str, Dataset] = {
    d.name: d for d in (CUSTOMERS_DATASET, PLANS_DATASET, ACTIVITY_DATASET)
}

GZIP_SUFFIX = ".gz"
# raw/<dataset>/<dataset>_<YYYYMMDD>[_<suffix>].<ext>[.gz]
FILE_NAME_PATTERN = re.compile(
    r"^(?P<dataset>customers|plans|activity_logs)_(?P<extract_date>\d{8})"
    r"(?:_(?P<suffix>[^/]+?))?(?P<ext>\.ndjson|\.jsonl|\.csv)(?P<gz>\.gz)?$"
)


@dataclass(frozen=True)
class FileName:
    dataset: str
    extract_date: str  # YYYY-MM-DD
    suffix: Optional[str]
    extension: str
    gzipped: bool


def parse_file_name(dataset: str, name: str) -> FileName:
    """Parse a raw file name under `raw/<dataset>/`; ValueError says why it does not fit."""
    import datetime as _dt

    spec = DATASET_SPECS.get(dataset)
    if spec is None:
        raise ValueError(f"unknown dataset {dataset!r} (expected one of {', '.join(DATASETS)})")
    match = FILE_NAME_PATTERN.match(name)
    if match is None or match["dataset"] != dataset:
        raise ValueError(
            f"file name {name!r} does not fit {dataset}_<YYYYMMDD>[_<suffix>]"
            f"{'|'.join(spec.extensions)}[.gz]"
        )
    if match["ext"] not in spec.extensions:
        raise ValueError(f"extension {match['ext']!r} does not fit dataset {dataset}")
    raw_date = match["extract_date"]
    try:
        extract_date = _dt.date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:])).isoformat()
    except ValueError:
        raise ValueError(f"file name {name!r} has an invalid extract date {raw_date!r}") from None
    return FileName(dataset, extract_date, match["suffix"], match["ext"], bool(match["gz"]))


# A JSON line nested deeper than this many levels (objects and arrays, the record itself being
# level 1) is not a JSON object: the file is rejected (section 3).
MAX_JSON_NESTING = 512

# File-level rejection reasons (section 3). The code is stored with the rejected object.
REJECTION_REASONS = {
    "unknown_dataset": "key is not under a known dataset",
    "bad_file_name": "name or extension does not fit the dataset",
    "empty_file": "file is empty",
    "header_only": "file has a header and no data rows",
    "not_utf8": "file is not valid UTF-8",
    "bad_gzip": "gzip file does not decompress",
    "missing_required_column": "CSV header lacks a required column",
    "field_count_mismatch": "CSV row's field count differs from the header's",
    "not_json_object": "NDJSON non-blank line is not a JSON object",
    "required_field_absent": "NDJSON required field is absent from every record",
}

# Rejections the validator adds to section 3's to protect the lake and itself (no source
# system is meant to produce them, so the generator and the corpus do not).
GUARD_REJECTION_REASONS = {
    "symlink": "raw entry is a symbolic link (local lake); links are never followed",
    "decompression_limit": "gzip inflates beyond the validator's decompression limit",
}


# ---------------------------------------------------------------------------------------
# Lineage columns that Job A adds to every clean row and Job B carries into staging.
LINEAGE_COLUMNS = ("source_file", "source_line", "extract_date", "ingest_date")

# Clean-zone columns of the flattened customers `address` object: (member, clean column).
ADDRESS_CLEAN_COLUMNS = (
    ("line1", "address_line1"),
    ("city", "city"),
    ("state", "state"),
    ("postalCode", "postal_code"),
    ("country", "country"),
)

# The staging table Job B builds from each dataset's clean rows.
STAGING_TABLE_OF_DATASET = {
    CUSTOMERS: "STG_CUSTOMERS",
    PLANS: "STG_PLANS",
    ACTIVITY_LOGS: "STG_ACTIVITY",
}

# Record-level quarantine reasons (Glue Job A). A quarantined record carries `<code>` or
# `<code>:<source field>` for each rule it broke; the first one is its primary reason.
RECORD_QUARANTINE_REASONS = {
    "malformed_json": "NDJSON line is not a well-formed JSON object",
    "bad_field_count": "CSV row's field count differs from the header's",
    "missing_required": "required field is missing, null or blank",
    "missing_for_type": "field required for this event type is missing",
    "bad_pattern": "value does not match the field's pattern",
    "bad_domain": "value is not one of the field's accepted values",
    "bad_timestamp": "not an ISO-8601 timestamp",
    "missing_offset": "timestamp lacks the required Z or UTC offset",
    "bad_date": "not a YYYY-MM-DD calendar date",
    "bad_type": "value does not fit the field's type (number, boolean, object, or a string with an unpaired surrogate)",
    "negative": "number below its minimum of 0",
}

# ---------------------------------------------------------------------------------------
# Warehouse tables: (column, Snowflake type, comment). STAGING is Job B's output contract
# (Parquet column names upper-case, matched by name in COPY INTO); DW is section 4.

STAGING_TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "STG_CUSTOMERS": (
        ("CUSTOMER_ID", "VARCHAR", "natural key, C + 7 digits"),
        ("FIRST_NAME", "VARCHAR", "trimmed"),
        ("LAST_NAME", "VARCHAR", "trimmed"),
        ("EMAIL", "VARCHAR", "trimmed, lower-case"),
        ("PHONE", "VARCHAR", "E.164"),
        ("ADDRESS_LINE1", "VARCHAR", "address.line1"),
        ("CITY", "VARCHAR", "address.city"),
        ("STATE", "VARCHAR", "address.state"),
        ("POSTAL_CODE", "VARCHAR", "address.postalCode"),
        ("COUNTRY", "VARCHAR", "address.country"),
        ("DATE_OF_BIRTH", "DATE", ""),
        ("PLAN_ID", "VARCHAR", "references DIM_PLAN.PLAN_ID"),
        ("STATUS", "VARCHAR", "ACTIVE, SUSPENDED or CHURNED"),
        ("SIGNUP_DATE", "DATE", ""),
        ("UPDATED_AT", "TIMESTAMP_NTZ", "business time of this state, UTC"),
        ("PLAN_IN_CATALOG", "BOOLEAN", "FALSE when no catalog has delivered PLAN_ID"),
        ("SOURCE_FILE", "VARCHAR", "raw file name (delivery order, 2nd key)"),
        ("SOURCE_LINE", "NUMBER(38,0)", "1-based line in the raw file (delivery order, 3rd key)"),
        ("EXTRACT_DATE", "DATE", "extract date from the file name (delivery order, 1st key)"),
        ("INGEST_DATE", "DATE", "date the validator archived the file"),
    ),
    "STG_PLANS": (
        ("PLAN_ID", "VARCHAR", "natural key"),
        ("PLAN_NAME", "VARCHAR", ""),
        ("PLAN_TYPE", "VARCHAR", "PREPAID or POSTPAID"),
        ("MONTHLY_FEE", "NUMBER(12,2)", ""),
        ("CURRENCY", "VARCHAR", "ISO 4217"),
        ("DATA_ALLOWANCE_GB", "NUMBER(12,3)", "NULL = unlimited"),
        ("VOICE_MINUTES", "NUMBER(38,0)", "NULL = unlimited"),
        ("SMS_ALLOWANCE", "NUMBER(38,0)", "NULL = unlimited"),
        ("CONTRACT_MONTHS", "NUMBER(38,0)", "0 = no contract"),
        ("SOURCE_UPDATED_AT", "TIMESTAMP_NTZ", "updated_at of the latest state, UTC"),
        ("IN_LATEST_CATALOG", "BOOLEAN", "plan is in the newest catalog snapshot"),
        ("CATALOG_EXTRACT_DATE", "DATE", "extract date of the newest catalog snapshot"),
        ("SOURCE_FILE", "VARCHAR", "raw file that delivered the latest state"),
    ),
    "STG_ACTIVITY": (
        ("EVENT_ID", "VARCHAR", "unique per event"),
        ("CUSTOMER_ID", "VARCHAR", ""),
        ("EVENT_TYPE", "VARCHAR", "DATA, VOICE or SMS"),
        ("EVENT_TS", "TIMESTAMP_NTZ", "UTC"),
        ("EVENT_DATE", "DATE", "date of EVENT_TS (UTC)"),
        ("DURATION_SEC", "NUMBER(38,0)", ""),
        ("DATA_MB", "NUMBER(18,3)", ""),
        ("CELL_ID", "VARCHAR", ""),
        ("ROAMING", "BOOLEAN", ""),
        ("SOURCE_FILE", "VARCHAR", ""),
        ("SOURCE_LINE", "NUMBER(38,0)", ""),
        ("INGEST_DATE", "DATE", ""),
    ),
}

DW_TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "DIM_PLAN": (
        ("PLAN_ID", "VARCHAR", "natural key"),
        ("PLAN_NAME", "VARCHAR", ""),
        ("PLAN_TYPE", "VARCHAR", "PREPAID or POSTPAID"),
        ("MONTHLY_FEE", "NUMBER(12,2)", ""),
        ("CURRENCY", "VARCHAR", "ISO 4217"),
        ("DATA_ALLOWANCE_GB", "NUMBER(12,3)", "NULL = unlimited"),
        ("VOICE_MINUTES", "NUMBER(38,0)", "NULL = unlimited"),
        ("SMS_ALLOWANCE", "NUMBER(38,0)", "NULL = unlimited"),
        ("CONTRACT_MONTHS", "NUMBER(38,0)", "0 = no contract"),
        ("IS_ACTIVE", "BOOLEAN", "in the newest catalog snapshot"),
        ("IS_INFERRED", "BOOLEAN", "referenced but never delivered; attributes NULL"),
        ("SOURCE_UPDATED_AT", "TIMESTAMP_NTZ", "updated_at of the latest state, UTC"),
        ("LOADED_AT", "TIMESTAMP_NTZ", "UTC time of the load that last wrote the row"),
    ),
    "DIM_CUSTOMER": (
        ("CUSTOMER_SK", "NUMBER(38,0)", "surrogate key; -1 = unknown member"),
        ("CUSTOMER_ID", "VARCHAR", "natural key"),
        ("FIRST_NAME", "VARCHAR", "type 1"),
        ("LAST_NAME", "VARCHAR", "type 1"),
        ("EMAIL", "VARCHAR", "type 2; trimmed, lower-case"),
        ("PHONE", "VARCHAR", "type 2"),
        ("ADDRESS_LINE1", "VARCHAR", "type 2"),
        ("CITY", "VARCHAR", "type 2"),
        ("STATE", "VARCHAR", "type 2"),
        ("POSTAL_CODE", "VARCHAR", "type 2"),
        ("COUNTRY", "VARCHAR", "type 2"),
        ("DATE_OF_BIRTH", "DATE", "type 1"),
        ("PLAN_ID", "VARCHAR", "type 2"),
        ("STATUS", "VARCHAR", "type 2"),
        ("SIGNUP_DATE", "DATE", ""),
        ("EFFECTIVE_FROM", "TIMESTAMP_NTZ", "inclusive, UTC business time"),
        ("EFFECTIVE_TO", "TIMESTAMP_NTZ", "exclusive; 9999-12-31 for the current version"),
        ("IS_CURRENT", "BOOLEAN", ""),
        ("LOADED_AT", "TIMESTAMP_NTZ", "UTC time of the load that last wrote the row"),
    ),
    "FACT_ACTIVITY": (
        ("EVENT_ID", "VARCHAR", "one row per event"),
        ("CUSTOMER_SK", "NUMBER(38,0)", "version containing EVENT_TS; -1 when none"),
        ("CUSTOMER_ID", "VARCHAR", ""),
        ("PLAN_ID", "VARCHAR", "plan of that version; NULL when CUSTOMER_SK = -1"),
        ("EVENT_TYPE", "VARCHAR", "DATA, VOICE or SMS"),
        ("EVENT_TS", "TIMESTAMP_NTZ", "UTC"),
        ("EVENT_DATE", "DATE", ""),
        ("DURATION_SEC", "NUMBER(38,0)", ""),
        ("DATA_MB", "NUMBER(18,3)", ""),
        ("CELL_ID", "VARCHAR", ""),
        ("ROAMING", "BOOLEAN", ""),
        ("LOADED_AT", "TIMESTAMP_NTZ", "UTC time of the load that last wrote the row"),
    ),
}

TRACKED_CUSTOMER_COLUMNS = (
    "PLAN_ID", "STATUS", "EMAIL", "PHONE",
    "ADDRESS_LINE1", "CITY", "STATE", "POSTAL_CODE", "COUNTRY",
)
TYPE1_CUSTOMER_COLUMNS = ("FIRST_NAME", "LAST_NAME", "DATE_OF_BIRTH")


# Warehouse-internal tables (schema DW) that the procedures need beside section 4's tables;
# the DDL creates them from here like DW_TABLES.
INTERNAL_TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    # Every customer record ever received (one row per archive key + line: INGEST_DATE,
    # SOURCE_FILE, SOURCE_LINE, so a same-name re-send is a new delivery): SCD2 history is
    # rebuilt from these, so it depends only on the set of records received.
    "CUSTOMER_STATE_HISTORY": (
        ("CUSTOMER_ID", "VARCHAR", "natural key"),
        ("FIRST_NAME", "VARCHAR", ""),
        ("LAST_NAME", "VARCHAR", ""),
        ("EMAIL", "VARCHAR", "trimmed, lower-case"),
        ("PHONE", "VARCHAR", ""),
        ("ADDRESS_LINE1", "VARCHAR", ""),
        ("CITY", "VARCHAR", ""),
        ("STATE", "VARCHAR", ""),
        ("POSTAL_CODE", "VARCHAR", ""),
        ("COUNTRY", "VARCHAR", ""),
        ("DATE_OF_BIRTH", "DATE", ""),
        ("PLAN_ID", "VARCHAR", ""),
        ("STATUS", "VARCHAR", "upper-case"),
        ("SIGNUP_DATE", "DATE", ""),
        ("UPDATED_AT", "TIMESTAMP_NTZ", "business time of this state, UTC"),
        ("EXTRACT_DATE", "DATE", "delivery order, 1st key"),
        ("SOURCE_FILE", "VARCHAR", "delivery order, 2nd key"),
        ("SOURCE_LINE", "NUMBER(38,0)", "delivery order, 3rd key"),
        ("LOADED_AT", "TIMESTAMP_NTZ", "UTC time of the load that received the record"),
        # Last, so CREATE OR ALTER adds it to an existing table without reordering columns.
        ("INGEST_DATE", "DATE", "delivery order, 4th key; with SOURCE_FILE and SOURCE_LINE identifies the record"),
    ),
    # One audit row per pipeline run and step (SP_RUN_CUSTOMER360_PIPELINE).
    "PIPELINE_RUN_LOG": (
        ("RUN_ID", "VARCHAR", "one id per pipeline run"),
        ("RUN_DATE", "VARCHAR", "RUN_DATE argument of the run"),
        ("STEP", "VARCHAR", "procedure name, or PIPELINE for the whole run"),
        ("STATUS", "VARCHAR", "SUCCEEDED or FAILED"),
        ("STAGING_RUN_ID", "VARCHAR", "run_id of the staging manifest loaded"),
        ("ROWS_IN", "NUMBER(38,0)", "rows read from staging by the step"),
        ("ROWS_INSERTED", "NUMBER(38,0)", ""),
        ("ROWS_UPDATED", "NUMBER(38,0)", ""),
        ("ROWS_DELETED", "NUMBER(38,0)", "retired SCD2 versions"),
        ("ROWS_REKEYED", "NUMBER(38,0)", "facts moved to another customer version"),
        ("ERROR", "VARCHAR", "error message when FAILED"),
        ("STARTED_AT", "TIMESTAMP_NTZ", "UTC"),
        ("FINISHED_AT", "TIMESTAMP_NTZ", "UTC"),
        ("SECONDS", "FLOAT", "wall time of the step"),
    ),
}

# Snowflake objects the staging load reads through (created by the DDL in STAGING_SCHEMA):
# the external stage over the lake's staging/ zone, and a JSON file format for its manifest.
STAGING_STAGE = "STAGING_STAGE"
MANIFEST_FILE_FORMAT = "MANIFEST_JSON_FORMAT"
# The external-table alternative to COPY (snowflake.yml env staging_load: external_table): one
# external table per staging table over its dataset's folder of the stage, partitioned by the
# Job B run id of the folder a file sits in (`staging/<dataset>/run_id=<RUN_ID>/`).
EXTERNAL_TABLE_OF_STAGING_TABLE = {table: f"EXT_{table}" for table in STAGING_TABLE_OF_DATASET.values()}
EXTERNAL_RUN_ID_COLUMN = "RUN_ID"
STAGING_RUN_FOLDER_PREFIX = "run_id="
# The Native App's references (app/manifest.yml), one per staging table: the consumer binds
# each to a table of theirs with the staging table's columns.
STAGING_REFERENCES = {table: table.lower() for table in STAGING_TABLES}


def column_names(table: str) -> tuple[str, ...]:
    spec = STAGING_TABLES.get(table) or DW_TABLES.get(table) or INTERNAL_TABLES.get(table)
    if spec is None:
        raise KeyError(f"no table {table!r} in the contract")
    return tuple(c[0] for c in spec)

# ---------------------------------------------------------------------------------------
# Analyst layer (docs/analytics.md): marts materialized as DW tables by SP_REFRESH_MARTS,
# and the data-quality audit table written by every load's post-load checks (and SP_RUN_DQ_CHECKS).
ANALYTICS_TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "MART_PLAN_USAGE_DAILY": (
        ("ACTIVITY_DATE", "DATE", "UTC day"),
        ("PLAN_ID", "VARCHAR", "plan in force at the event; NULL = customer version unknown"),
        ("PLAN_NAME", "VARCHAR", ""),
        ("PLAN_TYPE", "VARCHAR", ""),
        ("ACTIVE_CUSTOMERS", "NUMBER(38,0)", "customers ACTIVE on the plan at the end of the day"),
        ("USING_CUSTOMERS", "NUMBER(38,0)", "customers with at least one event on the plan that day"),
        ("EVENTS", "NUMBER(38,0)", ""),
        ("DATA_MB", "NUMBER(18,3)", ""),
        ("VOICE_MINUTES", "NUMBER(18,2)", "sum of DURATION_SEC / 60"),
        ("SMS_COUNT", "NUMBER(38,0)", ""),
        ("REVENUE_PROXY", "NUMBER(18,2)", "ACTIVE_CUSTOMERS * MONTHLY_FEE / days in the month"),
        ("CURRENCY", "VARCHAR", ""),
        ("REFRESHED_AT", "TIMESTAMP_NTZ", "UTC time of the refresh"),
    ),
    "MART_CUSTOMER_360": (
        ("CUSTOMER_ID", "VARCHAR", "one row per customer"),
        ("CUSTOMER_SK", "NUMBER(38,0)", "current version"),
        ("FIRST_NAME", "VARCHAR", ""),
        ("LAST_NAME", "VARCHAR", ""),
        ("EMAIL", "VARCHAR", ""),
        ("PHONE", "VARCHAR", ""),
        ("CITY", "VARCHAR", ""),
        ("STATE", "VARCHAR", ""),
        ("COUNTRY", "VARCHAR", ""),
        ("STATUS", "VARCHAR", "current status"),
        ("PLAN_ID", "VARCHAR", "current plan"),
        ("PLAN_NAME", "VARCHAR", ""),
        ("PLAN_TYPE", "VARCHAR", ""),
        ("MONTHLY_FEE", "NUMBER(12,2)", ""),
        ("SIGNUP_DATE", "DATE", ""),
        ("TENURE_DAYS", "NUMBER(38,0)", "SIGNUP_DATE to CHURN_DATE, or to AS_OF_DATE"),
        ("VERSION_COUNT", "NUMBER(38,0)", "SCD2 versions"),
        ("PLAN_CHANGES", "NUMBER(38,0)", "version transitions that changed PLAN_ID"),
        ("LAST_ACTIVITY_TS", "TIMESTAMP_NTZ", "latest EVENT_TS up to AS_OF_DATE"),
        ("EVENTS_30D", "NUMBER(38,0)", "events dated AS_OF_DATE - 29 .. AS_OF_DATE"),
        ("DATA_MB_30D", "NUMBER(18,3)", ""),
        ("VOICE_MINUTES_30D", "NUMBER(18,2)", ""),
        ("SMS_30D", "NUMBER(38,0)", ""),
        ("IS_CHURNED", "BOOLEAN", "current STATUS = CHURNED"),
        ("CHURN_DATE", "DATE", "start of the current churn; NULL when not churned"),
        ("AS_OF_DATE", "DATE", "RUN_DATE of the refresh"),
        ("REFRESHED_AT", "TIMESTAMP_NTZ", ""),
    ),
    "MART_CHURN_BY_PLAN": (
        ("CHURN_MONTH", "DATE", "first day of the month"),
        ("PLAN_ID", "VARCHAR", "plan held at churn time"),
        ("PLAN_NAME", "VARCHAR", ""),
        ("CUSTOMERS_AT_MONTH_START", "NUMBER(38,0)", "customers on the plan, not churned, at 00:00 of the 1st"),
        ("CHURN_EVENTS", "NUMBER(38,0)", "transitions into CHURNED during the month"),
        ("CHURN_RATE", "NUMBER(9,4)", "CHURN_EVENTS / CUSTOMERS_AT_MONTH_START; NULL when 0"),
        ("REFRESHED_AT", "TIMESTAMP_NTZ", ""),
    ),
    "MART_CUSTOMER_FEATURES": (
        ("AS_OF_DATE", "DATE", "features use only business time before AS_OF_DATE + 1 day"),
        ("CUSTOMER_ID", "VARCHAR", "customers not churned at the end of AS_OF_DATE"),
        ("PLAN_ID", "VARCHAR", "plan in force at the end of AS_OF_DATE"),
        ("STATUS", "VARCHAR", "status in force at the end of AS_OF_DATE"),
        ("TENURE_DAYS", "NUMBER(38,0)", ""),
        ("EVENTS_7D", "NUMBER(38,0)", "days AS_OF_DATE - 6 .. AS_OF_DATE"),
        ("EVENTS_30D", "NUMBER(38,0)", "days AS_OF_DATE - 29 .. AS_OF_DATE"),
        ("DATA_MB_30D", "NUMBER(18,3)", ""),
        ("DATA_MB_PREV_30D", "NUMBER(18,3)", "days AS_OF_DATE - 59 .. AS_OF_DATE - 30"),
        ("DATA_MB_TREND", "NUMBER(18,3)", "DATA_MB_30D - DATA_MB_PREV_30D"),
        ("VOICE_MINUTES_30D", "NUMBER(18,2)", ""),
        ("SMS_30D", "NUMBER(38,0)", ""),
        ("DAYS_SINCE_LAST_ACTIVITY", "NUMBER(38,0)", "NULL when no activity yet"),
        ("PLAN_CHANGES_TOTAL", "NUMBER(38,0)", ""),
        ("PLAN_CHANGES_90D", "NUMBER(38,0)", ""),
        ("SUSPENSIONS_TOTAL", "NUMBER(38,0)", "transitions into SUSPENDED"),
        ("REFRESHED_AT", "TIMESTAMP_NTZ", ""),
    ),
    "DQ_CHECK_RESULTS": (
        ("RUN_ID", "VARCHAR", "pipeline run the checks ran after"),
        ("CHECK_NAME", "VARCHAR", "e.g. unique:FACT_ACTIVITY.EVENT_ID"),
        ("SEVERITY", "VARCHAR", "CRITICAL (fails the run) or WARNING"),
        ("STATUS", "VARCHAR", "PASS, FAIL or SKIPPED"),
        ("FAILING_ROWS", "NUMBER(38,0)", ""),
        ("DETAIL", "VARCHAR", "what failed and where to look"),
        ("CHECKED_AT", "TIMESTAMP_NTZ", "UTC"),
    ),
}

# Views are created by SP_REFRESH_MARTS from the DW tables (not by the table DDL).
ANALYTICS_VIEWS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "V_ACTIVITY_ENRICHED": (
        ("EVENT_ID", "VARCHAR", ""),
        ("EVENT_TS", "TIMESTAMP_NTZ", ""),
        ("EVENT_DATE", "DATE", ""),
        ("EVENT_TYPE", "VARCHAR", ""),
        ("DURATION_SEC", "NUMBER(38,0)", ""),
        ("DATA_MB", "NUMBER(18,3)", ""),
        ("CELL_ID", "VARCHAR", ""),
        ("ROAMING", "BOOLEAN", ""),
        ("CUSTOMER_ID", "VARCHAR", ""),
        ("CUSTOMER_SK", "NUMBER(38,0)", "version in force at EVENT_TS; -1 when none"),
        ("VERSION_EFFECTIVE_FROM", "TIMESTAMP_NTZ", ""),
        ("VERSION_EFFECTIVE_TO", "TIMESTAMP_NTZ", ""),
        ("CUSTOMER_STATUS", "VARCHAR", "status in force at EVENT_TS"),
        ("CITY", "VARCHAR", "in force at EVENT_TS"),
        ("STATE", "VARCHAR", ""),
        ("COUNTRY", "VARCHAR", ""),
        ("PLAN_ID", "VARCHAR", "plan in force at EVENT_TS"),
        ("PLAN_NAME", "VARCHAR", ""),
        ("PLAN_TYPE", "VARCHAR", ""),
        ("MONTHLY_FEE", "NUMBER(12,2)", ""),
        ("CURRENCY", "VARCHAR", ""),
        ("DATA_ALLOWANCE_GB", "NUMBER(12,3)", ""),
        ("VOICE_MINUTES", "NUMBER(38,0)", ""),
        ("SMS_ALLOWANCE", "NUMBER(38,0)", ""),
        ("CONTRACT_MONTHS", "NUMBER(38,0)", ""),
    ),
}
