"""Defects the generator injects with `--defects`: bad files and bad records.

Defects are added on top of the good data, drawn from their own random stream, so the good
records of a run with defects are exactly those of the same run without them. Every bad file
is named after the contract's file-level rejection reason it must get (section 3), and every
bad record after the record-level quarantine reason Glue Job A must give it.
"""
from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import random
from collections import Counter

import orjson

from telco360 import contract
from telco360.generator.base import at_least_one
from telco360.generator.plans import COLUMNS as PLAN_COLUMNS
from telco360.generator.plans import Plan

# kind -> the quarantine reason `<code>:<source field>` (contract.RECORD_QUARANTINE_REASONS).
CUSTOMER_RECORD_DEFECTS = {
    "bad_customer_id": "bad_pattern:customerId",
    "unknown_status": "bad_domain:status",
    "unparseable_updated_at": "bad_timestamp:updatedAt",
    "updated_at_without_offset": "missing_offset:updatedAt",
    "missing_last_name": "missing_required:lastName",
    "impossible_signup_date": "bad_date:signupDate",
}
ACTIVITY_RECORD_DEFECTS = {
    "bad_customer_id": "bad_pattern:customer_id",
    "unknown_event_type": "bad_domain:event_type",
    "unparseable_event_ts": "bad_timestamp:event_ts",
    "negative_data_mb": "negative:data_mb",
    "negative_duration": "negative:duration_sec",
    "voice_without_duration": "missing_for_type:duration_sec",
    "data_without_data_mb": "missing_for_type:data_mb",
    "data_mb_not_a_number": "bad_type:data_mb",
    "missing_event_id": "missing_required:event_id",
}
PLAN_RECORD_DEFECTS = {
    "unknown_plan_type": "bad_domain:plan_type",
    "monthly_fee_not_a_number": "bad_type:monthly_fee",
    "negative_monthly_fee": "negative:monthly_fee",
}
RECORD_DEFECTS = {
    contract.CUSTOMERS: CUSTOMER_RECORD_DEFECTS,
    contract.ACTIVITY_LOGS: ACTIVITY_RECORD_DEFECTS,
    contract.PLANS: PLAN_RECORD_DEFECTS,
}
CUSTOMER_DEFECT_RATE = 0.001  # per kind, of the day's customer lines
ACTIVITY_DEFECT_RATE = 0.0002  # per kind, of the day's events


@dataclasses.dataclass(frozen=True)
class BadFile:
    key: str  # relative to the lake, under raw/
    data: bytes
    reason: str  # contract.REJECTION_REASONS code


def bad_customer_records(rng: random.Random, good_lines: list[bytes]) -> tuple[list[bytes], Counter]:
    """Broken copies of the day's good records, one rule broken in each."""
    bad: list[bytes] = []
    counts: Counter = Counter()
    for kind in CUSTOMER_RECORD_DEFECTS:
        for _ in range(at_least_one(len(good_lines), CUSTOMER_DEFECT_RATE)):
            record = orjson.loads(good_lines[rng.randrange(len(good_lines))])
            if kind == "bad_customer_id":
                record["customerId"] = f"C{rng.randrange(10**5):05d}"
            elif kind == "unknown_status":
                record["status"] = "PENDING"
            elif kind == "unparseable_updated_at":
                record["updatedAt"] = "yesterday 25:61"
            elif kind == "updated_at_without_offset":
                record["updatedAt"] = record["updatedAt"][:19]
            elif kind == "missing_last_name":
                del record["lastName"]
            else:
                record["signupDate"] = "2023-02-30"
            bad.append(orjson.dumps(record))
            counts[kind] += 1
    return bad, counts


def bad_activity_records(rng: random.Random, date_key: str, customer_ids: list[str], event_ts: str,
                         event_count: int) -> tuple[list[bytes], Counter]:
    """Events that break one rule each; their event_ids (`EV-<date>-BAD-n`) never collide with good ones."""
    bad: list[bytes] = []
    counts: Counter = Counter()
    for kind in ACTIVITY_RECORD_DEFECTS:
        for _ in range(at_least_one(max(event_count, 1), ACTIVITY_DEFECT_RATE)):
            record = {
                "event_id": f"EV-{date_key}-BAD-{len(bad) + 1:05d}",
                "customer_id": rng.choice(customer_ids),
                "event_type": "DATA",
                "event_ts": event_ts,
                "data_mb": 12.5,
                "cell_id": "CELL-00042",
            }
            if kind == "bad_customer_id":
                record["customer_id"] = f"CUST-{rng.randrange(1000)}"
            elif kind == "unknown_event_type":
                record["event_type"] = "MMS"
                del record["data_mb"]
            elif kind == "unparseable_event_ts":
                record["event_ts"] = "15/01/2024 10:00"
            elif kind == "negative_data_mb":
                record["data_mb"] = -3.25
            elif kind == "negative_duration":
                record.update(event_type="VOICE", duration_sec=-30)
                del record["data_mb"]
            elif kind == "voice_without_duration":
                record["event_type"] = "VOICE"
                del record["data_mb"]
            elif kind == "data_without_data_mb":
                del record["data_mb"]
            elif kind == "data_mb_not_a_number":
                record["data_mb"] = "12.5MB"
            else:
                del record["event_id"]
            bad.append(orjson.dumps(record))
            counts[kind] += 1
    return bad, counts


def bad_plan_rows(updated_at: str) -> tuple[list[dict[str, str]], Counter]:
    """Rows for plans no customer uses (PLN-BAD-*), so quarantining them retires no real plan."""
    base = Plan("", "Broken Row Plan", "PREPAID", "9.99", "EUR", "1", "", "", "0", updated_at).as_row()
    rows = [
        {**base, "plan_id": "PLN-BAD-TYPE", "plan_type": "HYBRID"},
        {**base, "plan_id": "PLN-BAD-FEE", "monthly_fee": "nine ninety"},
        {**base, "plan_id": "PLN-BAD-NEG", "monthly_fee": "-5.00"},
    ]
    return rows, Counter(dict.fromkeys(PLAN_RECORD_DEFECTS, 1))


def bad_files(ymd: str, customer_lines: list[bytes], event_lines: list[bytes], plans: list[Plan]) -> list[BadFile]:
    """One file per contract file-level rejection reason, made from the day's good data."""
    customers = customer_lines[:3]
    events = event_lines[:3] or [orjson.dumps({
        "event_id": f"EV-{ymd}-SAMPLE-1", "customer_id": "C0000001", "event_type": "SMS",
        "event_ts": f"{ymd[:4]}-{ymd[4:6]}-{ymd[6:]}T00:00:00Z",
    })]
    renamed_field = [orjson.dumps({("lastModified" if k == "updatedAt" else k): v for k, v in orjson.loads(line).items()})
                     for line in customers]
    latin1_record = {**orjson.loads(customers[0]), "lastName": "Muñoz"}
    truncated_line = events[0][: len(events[0]) // 2]
    ragged = _plans_csv(plans, PLAN_COLUMNS).replace(b'"Unlimited Talk, Text & 20GB"', b"Unlimited Talk, Text & 20GB")
    files = [
        BadFile(f"raw/invoices/invoices_{ymd}.csv", b"invoice_id,customer_id,amount\r\nINV-1,C0000001,20.00\r\n",
                "unknown_dataset"),
        BadFile(f"raw/customers/customers_{ymd}.json", _ndjson(customers), "bad_file_name"),
        BadFile(f"raw/activity_logs/activity_logs_{ymd}_part-9001.ndjson", b"", "empty_file"),
        BadFile(f"raw/plans/plans_{ymd}_resend.csv", (",".join(PLAN_COLUMNS) + "\r\n").encode(), "header_only"),
        BadFile(f"raw/customers/customers_{ymd}_latin1.ndjson",
                orjson.dumps(latin1_record).decode("utf-8").encode("latin-1") + b"\n", "not_utf8"),
        BadFile(f"raw/activity_logs/activity_logs_{ymd}_part-9002.ndjson.gz",
                _truncated_gzip(_ndjson(events)), "bad_gzip"),
        BadFile(f"raw/plans/plans_{ymd}_nocurrency.csv",
                _plans_csv(plans, [c for c in PLAN_COLUMNS if c != "currency"]), "missing_required_column"),
        BadFile(f"raw/plans/plans_{ymd}_ragged.csv", ragged, "field_count_mismatch"),
        BadFile(f"raw/activity_logs/activity_logs_{ymd}_part-9003.ndjson",
                _ndjson([*events[1:], truncated_line]), "not_json_object"),
        BadFile(f"raw/customers/customers_{ymd}_legacy.ndjson", _ndjson(renamed_field), "required_field_absent"),
    ]
    return files


def _ndjson(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def _truncated_gzip(data: bytes) -> bytes:
    """A gzip cut off mid-stream, as an interrupted upload leaves it."""
    whole = gzip.compress(data, compresslevel=6, mtime=0)
    return whole[: max(12, len(whole) // 2)]


def _plans_csv(plans: list[Plan], columns) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([plan.as_row()[c] for c in columns] for plan in plans)
    return out.getvalue().encode("utf-8")
