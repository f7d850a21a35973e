"""Job A's pure transforms: archived lines -> numbered records -> typed clean rows or quarantine.

Every source value is first read as a string (schemas.source_schema), so each rule a value
breaks gets its own reason code instead of Spark nulling it silently. The rules (required,
pattern, domain, types, minimum, required-for-type, offsets) all come from the contract's
Field list.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from typing import Iterable

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from telco360 import contract
from telco360.spark.schemas import (
    CLEAN_RUN_ID,
    CORRUPT_RECORD,
    RAW_RECORD,
    clean_field_type,
    clean_value_fields,
    lineage_fields,
    object_schema,
    quarantine_schema,
    source_schema,
)

FORMAT_ERROR = "format_error"  # a whole-record problem found while parsing the line/row
# Can the record's values hold whitespace other than spaces? A JSON line's values only through a
# backslash escape (Spark's parser refuses raw control characters in a string); a CSV field can
# hold a raw tab.
ESCAPED = "_escaped"
REASONS = "reasons"
REASON = "reason"

_BLANK = r"^\s*$"
_BLANK_TEXT = r"(?U)^\s*$"  # \s as Unicode White_Space
_OBJECT_START = r"^\s*\{"
_WHITESPACE = " \t\n\r\f\v"
_TIMESTAMP_SHAPE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|z|[+-]\d{2}:\d{2})?$"
_DATE_SHAPE = r"^\d{4}-\d{2}-\d{2}$"
_DECIMAL_SHAPE = r"^[+-]?\d+(\.\d+)?$"
_INTEGER_SHAPE = r"^[+-]?\d+$"
_EXTRACT_DATE = r"^(?:" + "|".join(contract.DATASETS) + r")_(\d{8})"
_INGEST_DATE = r"/ingest_date=(\d{4}-\d{2}-\d{2})/"
_GLOB_CHARACTERS = re.compile(r"([\\\[\]{}*?])")
_JSON_OPTIONS = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_RECORD}


# --- lines and line numbers -----------------------------------------------------------------

# Job A reads every archived file whole, in a task of its own: Spark neither splits a file into
# blocks (as it would a plain file above maxPartitionBytes; a .gz file it never splits) nor
# packs several files into one task (which it does below openCostInBytes). Set on the session,
# where Spark reads them when it plans the scan; maxPartitionNum would pack files again.
WHOLE_FILE_READ = {
    "spark.sql.files.maxPartitionBytes": str(2**62),
    "spark.sql.files.openCostInBytes": str(2**62),
}
_PACKING_SETTING = "spark.sql.files.maxPartitionNum"
# monotonically_increasing_id() is the task's partition index << 33 plus the row's position in
# the task: with one file per task, its low 33 bits count the file's lines from 0.
_LINE_IN_FILE = (1 << 33) - 1


def read_archived_lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    """One row per line (`.gz` decompressed), with its position in the file and the lineage
    the file's key carries.

    As in the validator, only LF ends a line and a CR directly before it belongs to the line
    end: by default the text source also ends a line at a bare CR, which JSON allows between
    tokens. The reader drops a UTF-8 BOM at a file's very start (Hadoop's LineRecordReader);
    anywhere else U+FEFF is data.
    Each file is read whole by one task (`WHOLE_FILE_READ`, set on the session), so the id
    taken in the scan itself, before any filter, counts the file's lines: numbering needs no
    second pass over the lines.
    The lineage comes from a listing of the same paths (`binaryFile` without its content), one
    row per file, joined to the lines by the path as Spark gives it: the path is decoded and
    parsed once per file, not per line.
    Paths are literal: a contract name may hold glob characters (`_[1]`), which Spark would
    otherwise expand.
    """
    for key, value in WHOLE_FILE_READ.items():
        spark.conf.set(key, value)
    spark.conf.unset(_PACKING_SETTING)
    literal_paths = [_literal_path(path) for path in paths]
    uri_path = F.col("_metadata.file_path")
    source_path = _decoded_path(uri_path)
    source_file = F.regexp_extract(source_path, r"([^/]+)$", 1)
    lineage = spark.read.format("binaryFile").load(literal_paths).select(
        uri_path.alias("source_uri_path"),
        source_file.alias("source_file"),
        F.to_date(F.regexp_extract(source_file, _EXTRACT_DATE, 1), "yyyyMMdd").alias("extract_date"),
        F.regexp_extract(source_path, _INGEST_DATE, 1).cast(T.DateType()).alias("ingest_date"),
    )
    value = F.col("value")
    lines = spark.read.option("lineSep", "\n").text(literal_paths).select(
        F.when(value.endswith("\r"), value.substr(F.lit(1), F.length(value) - 1)).otherwise(value).alias("value"),
        uri_path.alias("source_uri_path"),
        F.monotonically_increasing_id().alias("read_order"),
    )
    return lines.join(F.broadcast(lineage), "source_uri_path", "left")


def _literal_path(path: str) -> str:
    """`path` with Hadoop's glob characters escaped, so it names exactly one file."""
    return _GLOB_CHARACTERS.sub(r"\\\1", path)


def _decoded_path(uri_path: Column) -> Column:
    """A URI-encoded file path back to the file's path. URL decoding reads '+' as a space;
    in a URI path it is a plain '+', so it is protected first."""
    return F.url_decode(F.regexp_replace(uri_path, r"\+", "%2B"))


def number_lines(lines: DataFrame) -> DataFrame:
    """The lines of `read_archived_lines` with their 1-based line number within their file.

    A line whose file the listing did not name fails the job rather than being dropped or
    written without its lineage (the two reads list the same literal paths, so it should not
    happen)."""
    unlisted = F.concat(F.lit("Job A: no listing of the archived file "), F.col("source_uri_path"))
    return lines.select(
        F.coalesce(F.col("source_file"), F.raise_error(unlisted)).alias("source_file"),
        (F.col("read_order").bitwiseAND(F.lit(_LINE_IN_FILE)) + 1).alias("source_line"),
        F.col("extract_date"),
        F.col("ingest_date"),
        F.col("value"),
    )


def parse_json_lines(numbered: DataFrame, dataset: str) -> DataFrame:
    """Numbered NDJSON lines -> one string column per contract field; blank lines are no records.

    A line that is not a JSON object (broken JSON, an array, a bare value) gets the format
    error `malformed_json` and keeps its raw text for the quarantine. A contract field whose
    string holds an unpaired surrogate escape gets `bad_type:<field>` (see `_unpaired_surrogate_field`).
    """
    spec = contract.DATASET_SPECS[dataset]
    # Nearly every line starts with its `{`: that byte test spares it the regexes, which first
    # copy the whole line into a Java string (Or and And skip their right side when they can).
    starts_an_object = F.col(RAW_RECORD).startswith("{")
    records = numbered.withColumnRenamed("value", RAW_RECORD).where(starts_an_object | ~F.col(RAW_RECORD).rlike(_BLANK))
    # explode() of a one-element array puts the parse in its own plan node: as a plain column,
    # the optimizer inlined from_json into every field reference and parsed each line ~20 times.
    parsed_once = F.explode(F.array(F.from_json(RAW_RECORD, source_schema(dataset), _JSON_OPTIONS)))
    parsed = records.select("*", parsed_once.alias("_json"))
    malformed = (
        F.col("_json").isNull()
        | F.col(f"_json.{CORRUPT_RECORD}").isNotNull()
        | ~(starts_an_object | F.col(RAW_RECORD).rlike(_OBJECT_START))
    )
    return parsed.select(
        *[F.col(f"_json.{f.name}").alias(f.name) for f in spec.fields],
        *[F.col(name) for name in contract.LINEAGE_COLUMNS],
        F.col(RAW_RECORD),
        F.when(malformed, F.lit("malformed_json")).otherwise(_unpaired_surrogate_field(dataset)).alias(FORMAT_ERROR),
        F.col(RAW_RECORD).contains("\\").alias(ESCAPED),
    )


# A `\uXXXX` escape of a UTF-16 surrogate that is not half of a high-low pair. Applied after
# every escaped backslash became `\u005c`, so each backslash left starts an escape.
_UNPAIRED_SURROGATE = (
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _unpaired_surrogate_field(dataset: str) -> Column:
    """`bad_type:<field>` for the first contract field whose string held an unpaired surrogate
    escape, else null.

    Spark's JSON reader turns an unpaired surrogate into `?` (Java's UTF-8 encoder), so the
    value would load with a character the source never sent. Only a line holding an unpaired
    surrogate escape is parsed again, with each such escape written as U+FFFD: a field whose
    value differs between the two parses held one; a `?` in the source is the same in both.
    The escape test runs once per line, in the CASE's condition: most lines hold no `\\u` at
    all, and then only that substring test runs.
    """
    line = F.col(RAW_RECORD)
    escapes_only = F.regexp_replace(line, r"\\\\", r"\\u005c")
    has_unpaired = line.contains("\\u") & escapes_only.rlike(_UNPAIRED_SURROGATE)
    marked = F.regexp_replace(escapes_only, _UNPAIRED_SURROGATE, r"\\ufffd")
    reparsed = F.from_json(marked, source_schema(dataset), _JSON_OPTIONS)
    spec = contract.DATASET_SPECS[dataset]
    changed = [F.when(reparsed[f.name] != F.col("_json")[f.name], F.lit(f"bad_type:{f.name}")) for f in spec.fields]
    return F.when(has_unpaired, F.coalesce(*changed))


# --- plans CSV --------------------------------------------------------------------------------

def parse_plans_csv(data: bytes, source_file: str) -> list[dict]:
    """One CSV catalog file -> records keyed by contract field name (values as strings).

    Headers match case-insensitively with surrounding spaces ignored, in any order; unknown
    columns are ignored; quoted fields may hold commas. `source_line` is the physical line
    on which the record starts (the header is line 1). Read on the driver: catalogs are a
    few hundred rows, and each file carries its own header.
    """
    if source_file.endswith(contract.GZIP_SUFFIX):
        data = gzip.decompress(data)
    # Lines split at LF only, as the validator does: a file object would also end a line at a
    # bare CR, which inside a quoted field is data (and would shift every later line number).
    reader = csv.reader(line + "\n" for line in data.decode("utf-8-sig").split("\n"))
    header = next(reader, [])
    position: dict[str, int] = {}
    for index, name in enumerate(header):
        position.setdefault(name.strip().lower(), index)
    spec = contract.DATASET_SPECS[contract.PLANS]
    records = []
    start_line = reader.line_num + 1
    for row in reader:
        line, start_line = start_line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        record = {
            f.name: row[position[f.name]] if f.name in position and position[f.name] < len(row) else None
            for f in spec.fields
        }
        raw = io.StringIO()
        csv.writer(raw, lineterminator="").writerow(row)
        record.update(
            source_file=source_file,
            source_line=line,
            raw_record=raw.getvalue(),
            format_error="bad_field_count" if len(row) != len(header) else None,
        )
        records.append(record)
    return records


def plan_records_frame(
    spark: SparkSession, records: Iterable[dict], extract_date: dict[str, str], ingest_date: dict[str, str]
) -> DataFrame:
    """Parsed CSV records -> the same string-typed record frame the NDJSON path produces.

    Handed over as a pandas frame, which Spark reads as Arrow batches in the JVM (the job session
    enables Arrow): a list of tuples would start Python workers to unpickle it (~1.7 s in a
    fresh JVM)."""
    spec = contract.DATASET_SPECS[contract.PLANS]
    schema = T.StructType(
        [T.StructField(f.name, T.StringType()) for f in spec.fields]
        + lineage_fields()
        + [T.StructField(RAW_RECORD, T.StringType()), T.StructField(FORMAT_ERROR, T.StringType())]
    )
    rows = pd.DataFrame.from_records([
        (
            *[r[f.name] for f in spec.fields],
            r["source_file"],
            r["source_line"],
            dt.date.fromisoformat(extract_date[r["source_file"]]),
            dt.date.fromisoformat(ingest_date[r["source_file"]]),
            r[RAW_RECORD],
            r[FORMAT_ERROR],
        )
        for r in records
    ], columns=schema.names)
    return spark.createDataFrame(rows, schema).withColumn(ESCAPED, F.lit(True))


# --- rules ------------------------------------------------------------------------------------

def _blank_to_null(column: Column, escaped: Column) -> Column:
    """The value trimmed of `_WHITESPACE`, null when nothing is left.

    Where the record can hold no whitespace but spaces (`ESCAPED` is false: nearly every JSON
    line), `trim` does it: it trims spaces only, by byte, and returns the value itself when
    there are none. btrim with a set walks and allocates per character, so only the rare
    escaped record pays for it.
    """
    trimmed = F.when(escaped, F.call_function("btrim", column, F.lit(_WHITESPACE))).otherwise(F.trim(column))
    return F.when(trimmed != "", trimmed)


def _missing(field: contract.Field, value: Column) -> Column:
    """A required value is missing when null, or for text also when it is only Unicode
    White_Space (NBSP, ideographic space, ...), which trimming left. Such a value starts with a
    non-ASCII character: only those values meet the regex, and it stops at the first other one."""
    if field.type != contract.STRING:
        return value.isNull()
    return value.isNull() | ((value >= F.lit("\u0080")) & value.rlike(_BLANK_TEXT))


Rule = tuple[Column, str]  # (broken when true, the reason code `code:field`)


def _failed(condition: Column, code: str, field: contract.Field) -> Rule:
    return condition, f"{code}:{field.name}"


def _reason_codes(format_error: Column, rules: list[Rule]) -> Column:
    """`[format_error]` if there is one, else the codes of the broken rules, in rule order.

    A concat of per-rule arrays, not array_compact of nullable codes: array_compact is a lambda
    (filter), which Spark does not compile, so every rule under it ran interpreted. Each rule
    carries the format-error test itself rather than the concat sitting in a CASE branch:
    Spark computes a subexpression once (a typed value used by its column and its rules) only
    where every use is evaluated unconditionally.
    """
    none = F.array().cast(T.ArrayType(T.StringType()))
    no_format_error = format_error.isNull()
    return F.concat(
        F.when(format_error.isNotNull(), F.array(format_error)).otherwise(none),
        *[F.when(no_format_error & broken, F.array(F.lit(code))).otherwise(none) for broken, code in rules],
    )


def _utc_timestamp(value: Column) -> Column:
    """A timestamp string of `_TIMESTAMP_SHAPE` as a UTC timestamp, exactly as `cast` reads it in
    the job's UTC session (what it gives for any other string does not matter: that value's
    rule fails on the shape, so its record is quarantined without it).

    `cast` resolves a suffix through ZoneId, which compiles two regexes per value. The shape
    allows only `Z` (`z` fails the cast too) and `±HH:MM`, so the offset is applied here by
    arithmetic, within ZoneOffset's limits (minutes up to 59, at most 18:00). A shaped value is
    ASCII, so its byte length is its length, and its last 6 characters start with a sign
    exactly when it has an offset: every position is read from that one tail.
    """
    tail = _last_bytes(value, 6)
    has_offset = tail.startswith("+") | tail.startswith("-")
    length = F.octet_length(value)
    local = (
        F.when(has_offset, _first_bytes(value, length - 6))
        .when(value.endswith("Z"), _first_bytes(value, length - 1))
        .otherwise(value)
        .cast(T.TimestampType())
    )
    hours, minutes = tail.substr(2, 2).cast(T.LongType()), tail.substr(5, 2).cast(T.LongType())
    offset_micros = F.when(tail.startswith("-"), -1).otherwise(1) * (hours * 3600 + minutes * 60) * 1_000_000
    valid_offset = (minutes <= 59) & (hours * 60 + minutes <= 18 * 60)
    shifted = F.when(valid_offset, F.timestamp_micros(F.unix_micros(local) - offset_micros))
    return F.when(has_offset, shifted).otherwise(local)


# A string's substring counts characters (UTF-8 decoding from its start, and all of it for a
# position from the end); a binary's is a byte slice. For the ASCII positions of a timestamp
# the two agree, and the bytes are cheaper.
def _first_bytes(value: Column, count: Column) -> Column:
    return value.cast(T.BinaryType()).substr(F.lit(1), count).cast(T.StringType())


def _last_bytes(value: Column, count: int) -> Column:
    return F.substring(value.cast(T.BinaryType()), -count, count).cast(T.StringType())


def _has_offset_suffix(value: Column) -> Column:
    """For a value of `_TIMESTAMP_SHAPE`: does it end in `Z`, `z` or `±HH:MM`."""
    tail = _last_bytes(value, 6)
    return value.endswith("Z") | value.endswith("z") | tail.startswith("+") | tail.startswith("-")


def _typed_value(dataset: str, field: contract.Field, value: Column, typed: Column) -> tuple[Column, list[Rule]]:
    """(typed value, its rules) for one scalar field's trimmed string value.

    The rules read the typed value as the column `typed`, which the caller computes one
    projection below them: as an expression it would be computed again inside the rules
    (the optimizer rewrites e.g. `isnull(CASE ...)` into each branch, so Spark no longer sees
    one subexpression shared by the column and its rules).
    """
    present = value.isNotNull()
    reasons: list[Rule] = []
    if field.type == contract.STRING:
        expression = value
        if field.domain:
            expression = F.upper(value)
        elif field.lower_case:
            expression = F.lower(value)
        if field.pattern:
            reasons.append(_failed(present & ~value.rlike(f"^(?:{field.pattern})$"), "bad_pattern", field))
        if field.domain:
            reasons.append(_failed(present & ~typed.isin(*field.domain), "bad_domain", field))
        return expression, reasons
    if field.type == contract.TIMESTAMP:
        shaped = value.rlike(_TIMESTAMP_SHAPE)
        reasons.append(_failed(present & (~shaped | typed.isNull()), "bad_timestamp", field))
        if field.needs_offset:
            reasons.append(_failed(present & shaped & ~_has_offset_suffix(value), "missing_offset", field))
        return _utc_timestamp(value), reasons
    if field.type == contract.DATE:
        reasons.append(_failed(present & (~value.rlike(_DATE_SHAPE) | typed.isNull()), "bad_date", field))
        return value.cast(T.DateType()), reasons
    if field.type in (contract.DECIMAL, contract.INTEGER):
        shape = _DECIMAL_SHAPE if field.type == contract.DECIMAL else _INTEGER_SHAPE
        reasons.append(_failed(present & typed.isNull(), "bad_type", field))
        if field.minimum is not None:
            reasons.append(_failed(typed < F.lit(field.minimum), "negative", field))
        return F.when(value.rlike(shape), value.cast(clean_field_type(dataset, field))), reasons
    if field.type == contract.BOOLEAN:
        lowered = F.lower(value)
        expression = F.when(lowered.isin("true", "false"), lowered == "true")
        reasons.append(_failed(present & typed.isNull(), "bad_type", field))
        if field.default is not None:
            expression = F.when(present, expression).otherwise(F.lit(field.default))
        return expression, reasons
    raise ValueError(f"{dataset}.{field.name}: no rule for contract type {field.type!r}")


def standardize_records(records: DataFrame, dataset: str) -> DataFrame:
    """String records -> typed clean columns + lineage + `reasons` (empty = clean) + `reason` +
    `raw_record` (the line as delivered, for quarantined records only).

    Strings are trimmed (blank = missing), emails lower-cased, enums upper-cased, timestamps
    converted to UTC (the session time zone is UTC), the address object flattened.
    """
    typed_values, values, reasons = _values_and_rules(dataset)
    standardized = _trimmed_with_parsed_objects(records, dataset).select("*", *typed_values).select(
        *values,
        *[F.col(name) for name in contract.LINEAGE_COLUMNS],
        F.col(RAW_RECORD),
        _reason_codes(F.col(FORMAT_ERROR), reasons).alias(REASONS),
    )
    # Only a quarantined record keeps its line: Job A caches this frame, and a clean record's
    # copy of the line would be most of the cache.
    return standardized.select(
        *[F.col(name) for name in standardized.columns if name != RAW_RECORD],
        F.when(F.size(REASONS) > 0, F.col(RAW_RECORD)).alias(RAW_RECORD),
        F.col(REASONS)[0].alias(REASON),
    )


def _trimmed_with_parsed_objects(records: DataFrame, dataset: str) -> DataFrame:
    """Every text field trimmed (blank = null), lineage, the line and its format error kept, and
    each object field parsed once into `_<field>_object`."""
    spec = contract.DATASET_SPECS[dataset]
    trimmed = [
        F.col(f.name) if f.type == contract.OBJECT else _blank_to_null(F.col(f.name), F.col(ESCAPED)).alias(f.name)
        for f in spec.fields
    ]
    stage = records.select(
        *trimmed, *[F.col(name) for name in contract.LINEAGE_COLUMNS], F.col(RAW_RECORD), F.col(FORMAT_ERROR),
        F.col(ESCAPED),
    )
    for field in spec.fields:
        if field.type == contract.OBJECT:
            # Parsed once in its own plan node (see parse_json_lines), then read member by member.
            with_corrupt = T.StructType(object_schema(field).fields + [T.StructField(CORRUPT_RECORD, T.StringType())])
            parsed_once = F.explode(F.array(F.from_json(field.name, with_corrupt, _JSON_OPTIONS)))
            stage = stage.select("*", parsed_once.alias(f"_{field.name}_object"))
    return stage


def _values_and_rules(dataset: str) -> tuple[list[Column], list[Column], list[Rule]]:
    """Per field of the dataset: its typed value (computed one projection below the rules, see
    `_typed_value`), its clean column, and the rules it can fail."""
    typed_values: list[Column] = []
    values: list[Column] = []
    reasons: list[Rule] = []
    for field in contract.DATASET_SPECS[dataset].fields:
        value = F.col(field.name)
        if field.required:
            reasons.append(_failed(_missing(field, value), "missing_required", field))
        if field.required_when:
            other, expected = field.required_when
            other_value = F.upper(F.col(other))
            reasons.append(_failed((other_value == expected) & value.isNull(), "missing_for_type", field))
        if field.type == contract.OBJECT:
            parsed = F.col(f"_{field.name}_object")
            not_an_object = value.isNotNull() & (parsed.isNull() | parsed[CORRUPT_RECORD].isNotNull())
            reasons.append(_failed(not_an_object, "bad_type", field))
            for member, column in contract.ADDRESS_CLEAN_COLUMNS:
                values.append(_blank_to_null(parsed[member], F.col(ESCAPED)).alias(column))
            continue
        typed = f"_typed_{field.clean_name}"
        expression, rules = _typed_value(dataset, field, value, F.col(typed))
        typed_values.append(expression.alias(typed))
        values.append(F.col(typed).alias(field.clean_name))
        reasons += rules
    return typed_values, values, reasons


def clean_rows(standardized: DataFrame, dataset: str, run_id: str) -> DataFrame:
    columns = [f.name for f in clean_value_fields(dataset)] + list(contract.LINEAGE_COLUMNS)
    return standardized.where(F.size(REASONS) == 0).select(*columns, F.lit(run_id).alias(CLEAN_RUN_ID))


def quarantine_rows(standardized: DataFrame, run_id: str) -> DataFrame:
    columns = [f.name for f in quarantine_schema().fields if f.name != CLEAN_RUN_ID]
    return standardized.where(F.size(REASONS) > 0).select(*columns, F.lit(run_id).alias(CLEAN_RUN_ID))
