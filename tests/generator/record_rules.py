"""A tiny, independent reading of the contract's record rules, for checking generated records.

Deliberately not the project's validator or Job A: the generator's tests must not pass just
because the code under test shares a bug with the code that checks it.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import orjson

from telco360 import contract

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(?P<zone>Z|[+-]\d{2}:\d{2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8-sig")


def read_records(path: Path, dataset: str) -> list[dict]:
    """Records of a good raw file: dicts for NDJSON, {normalised header: value} rows for CSV."""
    text = read_text(path)
    if dataset == contract.PLANS:
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header = [name.strip().lower() for name in rows[0]]
        return [dict(zip(header, row)) for row in rows[1:]]
    return [orjson.loads(line) for line in text.splitlines() if line.strip()]


def first_violation(dataset: str, record: dict) -> str | None:
    """`<reason>:<field>` (contract.RECORD_QUARANTINE_REASONS codes) for the first broken rule."""
    for field in contract.DATASET_SPECS[dataset].fields:
        value = record.get(field.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.required:
                return f"missing_required:{field.name}"
            other, expected = field.required_when or (None, None)
            if other and str(record.get(other, "")).strip().upper() == expected:
                return f"missing_for_type:{field.name}"
            continue
        problem = _value_problem(field, value)
        if problem:
            return f"{problem}:{field.name}"
    return None


def _value_problem(field: contract.Field, value: object) -> str | None:
    if field.type == contract.STRING:
        if not isinstance(value, str):
            return "bad_type"
        if field.pattern and not re.fullmatch(field.pattern, value.strip()):
            return "bad_pattern"
        if field.domain and value.strip().upper() not in field.domain:
            return "bad_domain"
    elif field.type == contract.DATE:
        if not (isinstance(value, str) and _DATE.fullmatch(value) and _is_calendar_date(value)):
            return "bad_date"
    elif field.type == contract.TIMESTAMP:
        match = _TIMESTAMP.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            return "bad_timestamp"
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            return "bad_timestamp"
        if field.needs_offset and match["zone"] is None:
            return "missing_offset"
    elif field.type in (contract.DECIMAL, contract.INTEGER):
        number = _number(value, integer=field.type == contract.INTEGER)
        if number is None:
            return "bad_type"
        if field.minimum is not None and number < field.minimum:
            return "negative"
    elif field.type == contract.BOOLEAN:
        if not isinstance(value, bool):
            return "bad_type"
    elif field.type == contract.OBJECT:
        if not isinstance(value, dict) or set(value) - set(field.members):
            return "bad_type"
        if any(v is not None and not isinstance(v, str) for v in value.values()):
            return "bad_type"
    return None


def _is_calendar_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _number(value: object, integer: bool) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if integer and not isinstance(value, int) else Decimal(str(value))
    if isinstance(value, str):
        if integer and not re.fullmatch(r"-?\d+", value.strip()):
            return None
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None
