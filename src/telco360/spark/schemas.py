"""Spark schemas derived from `telco360.contract`: never inferred, never typed by hand.

Three shapes per dataset:
- the *source* shape: every contract field as a string (objects as their raw JSON text), so
  Job A sees exactly what was delivered and can name the rule a value breaks;
- the *clean* shape: typed, snake_case, address flattened, plus lineage and `clean_run_id`;
- the *staging* shape: `contract.STAGING_TABLES`, upper-case, Snowflake types mapped to Spark.
"""
from __future__ import annotations

import re

from pyspark.sql import types as T

from telco360 import contract

CORRUPT_RECORD = "_corrupt_record"
CLEAN_RUN_ID = "clean_run_id"
RAW_RECORD = "raw_record"

_NUMBER = re.compile(r"NUMBER\((\d+),(\d+)\)")


def snowflake_to_spark_type(snowflake_type: str) -> T.DataType:
    """Map a contract column type to the Spark type whose Parquet encoding Snowflake loads as it."""
    if snowflake_type == "VARCHAR":
        return T.StringType()
    if snowflake_type == "DATE":
        return T.DateType()
    if snowflake_type == "TIMESTAMP_NTZ":
        return T.TimestampNTZType()
    if snowflake_type == "BOOLEAN":
        return T.BooleanType()
    match = _NUMBER.fullmatch(snowflake_type)
    if match is None:
        raise ValueError(f"no Spark type for contract column type {snowflake_type!r}")
    precision, scale = int(match[1]), int(match[2])
    return T.LongType() if scale == 0 and precision > 18 else T.DecimalType(precision, scale)


def staging_schema(table: str) -> T.StructType:
    return T.StructType(
        [T.StructField(name, snowflake_to_spark_type(kind)) for name, kind, _ in contract.STAGING_TABLES[table]]
    )


def source_schema(dataset: str) -> T.StructType:
    """Every field as a string; `_corrupt_record` catches lines that are not JSON objects."""
    spec = contract.DATASET_SPECS[dataset]
    fields = [T.StructField(f.name, T.StringType()) for f in spec.fields]
    return T.StructType(fields + [T.StructField(CORRUPT_RECORD, T.StringType())])


def object_schema(field: contract.Field) -> T.StructType:
    return T.StructType([T.StructField(member, T.StringType()) for member in field.members])


def clean_field_type(dataset: str, field: contract.Field) -> T.DataType:
    """Typed clean column; decimals take the precision of their staging column."""
    if field.type == contract.DECIMAL:
        table = contract.STAGING_TABLE_OF_DATASET[dataset]
        column = field.clean_name.upper()
        kinds = {name: kind for name, kind, _ in contract.STAGING_TABLES[table]}
        return snowflake_to_spark_type(kinds[column])
    return {
        contract.STRING: T.StringType(),
        contract.DATE: T.DateType(),
        contract.TIMESTAMP: T.TimestampType(),
        contract.INTEGER: T.LongType(),
        contract.BOOLEAN: T.BooleanType(),
    }[field.type]


def lineage_fields() -> list[T.StructField]:
    types = {
        "source_file": T.StringType(),
        "source_line": T.LongType(),
        "extract_date": T.DateType(),
        "ingest_date": T.DateType(),
    }
    return [T.StructField(name, types[name]) for name in contract.LINEAGE_COLUMNS]


def clean_value_fields(dataset: str) -> list[T.StructField]:
    spec = contract.DATASET_SPECS[dataset]
    fields: list[T.StructField] = []
    for field in spec.fields:
        if field.type == contract.OBJECT:
            fields += [T.StructField(column, T.StringType()) for _, column in contract.ADDRESS_CLEAN_COLUMNS]
        else:
            fields.append(T.StructField(field.clean_name, clean_field_type(dataset, field)))
    return fields


def clean_schema(dataset: str) -> T.StructType:
    """Columns of `clean/<dataset>/` (partition columns `ingest_date`, `clean_run_id` included)."""
    return T.StructType(
        clean_value_fields(dataset) + lineage_fields() + [T.StructField(CLEAN_RUN_ID, T.StringType())]
    )


def quarantine_schema() -> T.StructType:
    return T.StructType(
        lineage_fields()
        + [
            T.StructField("reason", T.StringType()),
            T.StructField("reasons", T.ArrayType(T.StringType())),
            T.StructField(RAW_RECORD, T.StringType()),
            T.StructField(CLEAN_RUN_ID, T.StringType()),
        ]
    )
