"""The cases the pipeline must handle are really in the files (read back, not taken from the summary)."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from telco360 import contract

from .record_rules import read_records, read_text


@pytest.fixture(scope="module")
def delivered(clean_run):
    """{dataset: [(extract date, file key, record), ...]} in delivery order."""
    lake, summary = clean_run
    records = defaultdict(list)
    for entry in summary["files"]:
        for record in read_records(lake / entry["key"], entry["dataset"]):
            records[entry["dataset"]].append((entry["extract_date"], entry["key"], record))
    return records


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc)


def _customer_history(delivered):
    """customer id -> [(updatedAt UTC, record)] sorted by business time, redeliveries collapsed."""
    history = defaultdict(dict)
    for _, _, record in delivered[contract.CUSTOMERS]:
        history[record["customerId"]][_utc(record["updatedAt"])] = record
    return {cid: sorted(states.items()) for cid, states in history.items()}


def test_first_day_delivers_every_initial_customer_with_signup_on_or_before_its_update(delivered, clean_run):
    _, summary = clean_run
    first = [r for d, _, r in delivered[contract.CUSTOMERS] if d == summary["extract_dates"][0]]
    assert len({r["customerId"] for r in first}) == summary["customers"]
    assert all(dt.date.fromisoformat(r["signupDate"]) <= _utc(r["updatedAt"]).date() for r in first)


def test_customer_timestamps_carry_z_and_several_offsets(delivered):
    suffixes = {r["updatedAt"][19:] for _, _, r in delivered[contract.CUSTOMERS]}
    assert "Z" in suffixes and len(suffixes - {"Z", "+00:00"}) >= 3


def test_a_customer_changes_several_times_in_one_file(delivered):
    per_file = Counter((key, r["customerId"], r["updatedAt"]) for _, key, r in delivered[contract.CUSTOMERS])
    changes = Counter((key, cid) for key, cid, _ in per_file)
    assert max(changes.values()) >= 3


def test_a_file_delivers_the_same_record_twice(clean_run):
    lake, summary = clean_run
    duplicated = [f["key"] for f in summary["files"] if f["dataset"] == contract.CUSTOMERS
                  and max(Counter(read_text(lake / f["key"]).splitlines()).values()) > 1]
    assert duplicated


def test_a_later_file_redelivers_an_earlier_files_record(clean_run):
    lake, summary = clean_run
    seen: dict[str, str] = {}
    redelivered = []
    for entry in (f for f in summary["files"] if f["dataset"] == contract.CUSTOMERS):
        for line in set(read_text(lake / entry["key"]).splitlines()):
            if line in seen:
                redelivered.append(line)
            seen.setdefault(line, entry["key"])
    assert redelivered


def test_a_record_arrives_days_after_its_business_time(delivered):
    late = [r for d, _, r in delivered[contract.CUSTOMERS]
            if (dt.date.fromisoformat(d) - _utc(r["updatedAt"]).date()).days >= 1]
    assert late


def test_a_same_instant_record_is_delivered_again_with_another_offset(delivered):
    texts = defaultdict(set)
    for _, _, r in delivered[contract.CUSTOMERS]:
        texts[(r["customerId"], _utc(r["updatedAt"]))].add(r["updatedAt"])
    assert any(len(v) > 1 for v in texts.values())


def test_customers_churn_and_are_later_reactivated(delivered):
    def reactivated(states):
        statuses = [r["status"].upper() for _, r in states]
        return "CHURNED" in statuses and "ACTIVE" in statuses[statuses.index("CHURNED"):]

    assert any(reactivated(states) for states in _customer_history(delivered).values())


def test_customers_are_suspended_and_resume(delivered):
    def resumed(states):
        statuses = [r["status"].upper() for _, r in states]
        return any(a == "SUSPENDED" and b == "ACTIVE" for a, b in zip(statuses, statuses[1:]))

    assert any(resumed(states) for states in _customer_history(delivered).values())


@pytest.mark.parametrize("attribute", ["planId", "phone", "address"])
def test_tracked_attributes_change(delivered, attribute):
    assert any(len({str(r.get(attribute)) for _, r in states}) > 1 for states in _customer_history(delivered).values())


def test_a_name_is_corrected_without_any_tracked_change(delivered):
    def canonical(record):
        email = (record.get("email") or "").strip().lower()
        address = {k: v for k, v in (record.get("address") or {}).items() if v is not None}
        return (record["planId"], record["status"].upper(), email, record.get("phone"), sorted(address.items()))

    corrected = [
        cid for cid, states in _customer_history(delivered).items()
        for (_, a), (_, b) in zip(states, states[1:])
        if (a["firstName"], a["lastName"]) != (b["firstName"], b["lastName"]) and canonical(a) == canonical(b)
    ]
    assert corrected


def test_emails_and_statuses_come_in_mixed_case_and_with_spaces(delivered):
    records = [r for _, _, r in delivered[contract.CUSTOMERS]]
    assert any(r.get("email") and r["email"] != r["email"].strip() for r in records)
    assert any(r.get("email") and r["email"].strip() != r["email"].strip().lower() for r in records)
    assert any(r["status"] != r["status"].upper() for r in records)


def test_address_members_are_sometimes_missing_or_null(delivered):
    addresses = [r["address"] for _, _, r in delivered[contract.CUSTOMERS] if r.get("address")]
    assert any(None in a.values() for a in addresses)
    assert any(set(a) != set(contract.ADDRESS_MEMBERS) for a in addresses)


def test_a_customer_references_a_plan_before_the_catalog_delivers_it(delivered):
    catalog_by_date = defaultdict(set)
    for d, _, row in delivered[contract.PLANS]:
        catalog_by_date[d].add(row["plan_id"])
    delivered_so_far, early = set(), []
    for d in sorted(catalog_by_date):
        delivered_so_far |= catalog_by_date[d]
        early += [r["planId"] for dd, _, r in delivered[contract.CUSTOMERS] if dd == d and r["planId"] not in delivered_so_far]
    assert early
    assert set(early) <= set().union(*catalog_by_date.values())  # delivered later


def test_a_plan_is_renamed_and_another_retired_between_snapshots(delivered):
    names = defaultdict(set)
    catalog_by_date = defaultdict(set)
    for d, _, row in delivered[contract.PLANS]:
        names[row["plan_id"]].add(row["plan_name"])
        catalog_by_date[d].add(row["plan_id"])
    first, last = catalog_by_date[min(catalog_by_date)], catalog_by_date[max(catalog_by_date)]
    assert any(len(n) > 1 for n in names.values())
    assert first - last


def test_plans_snapshots_reorder_columns_and_vary_header_case(clean_run):
    lake, summary = clean_run
    headers = [read_text(lake / f["key"]).splitlines()[0] for f in summary["files"] if f["dataset"] == contract.PLANS]
    orders = {tuple(h.strip().lower() for h in header.split(",")) for header in headers}
    assert len(orders) > 1
    assert any(header != header.lower() for header in headers)


def test_plan_names_with_commas_are_quoted(clean_run):
    lake, summary = clean_run
    text = read_text(lake / next(f["key"] for f in summary["files"] if f["dataset"] == contract.PLANS))
    assert '"Unlimited Talk, Text & 20GB"' in text


def test_event_ids_are_redelivered_in_the_same_file_and_in_a_later_file(delivered):
    deliveries = defaultdict(list)
    for extract_date, key, event in delivered[contract.ACTIVITY_LOGS]:
        deliveries[event["event_id"]].append((extract_date, key))
    assert any(len(d) != len(set(d)) for d in deliveries.values())
    assert any(len({extract_date for extract_date, _ in d}) > 1 for d in deliveries.values())


def test_events_arrive_days_late(delivered):
    assert any((dt.date.fromisoformat(d) - _utc(e["event_ts"]).date()).days >= 2
               for d, _, e in delivered[contract.ACTIVITY_LOGS])


def test_events_name_customers_not_delivered_yet_and_happen_before_signup(delivered):
    first_delivery, signup = {}, {}
    for d, _, r in delivered[contract.CUSTOMERS]:
        first_delivery.setdefault(r["customerId"], d)
        signup[r["customerId"]] = dt.date.fromisoformat(r["signupDate"])
    events = [(d, e) for d, _, e in delivered[contract.ACTIVITY_LOGS]]
    assert any(first_delivery.get(e["customer_id"], "9999") > d for d, e in events)
    assert any(e["customer_id"] in signup and _utc(e["event_ts"]).date() < signup[e["customer_id"]] for _, e in events)


def test_events_cover_every_type_with_roaming_and_mixed_case(delivered):
    events = [e for _, _, e in delivered[contract.ACTIVITY_LOGS]]
    assert {e["event_type"].upper() for e in events} == set(contract.EVENT_TYPES)
    assert any(e["event_type"] != e["event_type"].upper() for e in events)
    assert any(e.get("roaming") is True for e in events)
    assert any("roaming" not in e for e in events)
