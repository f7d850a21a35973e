"""Generated files fit the contract; with defects, each defect is there and breaks its rule."""
from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections import Counter
from pathlib import PurePosixPath

import orjson
import pytest

from telco360 import contract
from telco360.generator import generate
from telco360.generator.defects import RECORD_DEFECTS

from .record_rules import first_violation, read_records, read_text


def test_every_file_name_fits_the_contract(clean_run):
    _, summary = clean_run
    for entry in summary["files"]:
        _, dataset, name = PurePosixPath(entry["key"]).parts
        parsed = contract.parse_file_name(dataset, name)
        assert parsed.extract_date == entry["extract_date"]


def test_each_day_delivers_one_catalog_one_customer_extract_and_several_gzip_activity_parts(clean_run):
    _, summary = clean_run
    for extract_date in summary["extract_dates"]:
        keys = [f["key"] for f in summary["files"] if f["extract_date"] == extract_date]
        by_dataset = Counter(key.split("/")[1] for key in keys)
        assert by_dataset[contract.PLANS] == 1 and by_dataset[contract.CUSTOMERS] == 1
        assert by_dataset[contract.ACTIVITY_LOGS] >= 2
        assert all(k.endswith(".gz") for k in keys if "/activity_logs/" in k)


def test_every_record_fits_the_contract_without_defects(clean_run):
    lake, summary = clean_run
    problems = Counter()
    checked = 0
    for entry in summary["files"]:
        for record in read_records(lake / entry["key"], entry["dataset"]):
            checked += 1
            problem = first_violation(entry["dataset"], record)
            if problem:
                problems[(entry["dataset"], problem)] += 1
    assert checked > 1000
    assert problems == Counter()


def test_every_plans_snapshot_has_each_contract_column(clean_run):
    lake, summary = clean_run
    for entry in summary["files"]:
        if entry["dataset"] == contract.PLANS:
            header = next(csv.reader(io.StringIO(read_text(lake / entry["key"]))))
            assert set(contract.PLANS_DATASET.required_fields) <= {name.strip().lower() for name in header}


def test_summary_counts_every_record_line_written(clean_run):
    lake, summary = clean_run
    for entry in summary["files"]:
        assert len(read_records(lake / entry["key"], entry["dataset"])) == entry["records"]


def test_defect_run_writes_a_bad_file_for_every_rejection_reason_every_day(defect_run):
    _, summary = defect_run
    for extract_date in summary["extract_dates"]:
        reasons = [f["reason"] for f in summary["files"] if f["extract_date"] == extract_date and f["reason"]]
        assert sorted(reasons) == sorted(contract.REJECTION_REASONS)


def _bad_file(summary, reason):
    return next(f for f in summary["files"] if f["reason"] == reason)


def _does_not_fit_name(dataset, name):
    try:
        contract.parse_file_name(dataset, name)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize("reason", sorted(contract.REJECTION_REASONS))
def test_each_bad_file_really_has_the_defect_it_is_named_for(defect_run, reason):
    lake, summary = defect_run
    key = _bad_file(summary, reason)["key"]
    folder, name = PurePosixPath(key).parts[1:-1], PurePosixPath(key).name
    data = (lake / key).read_bytes()
    if reason == "unknown_dataset":
        assert folder[0] not in contract.DATASETS
        return
    assert folder[0] in contract.DATASETS
    if reason == "bad_file_name":
        assert _does_not_fit_name(folder[0], name)
        return
    assert not _does_not_fit_name(folder[0], name)
    if reason == "empty_file":
        assert data == b""
    elif reason == "bad_gzip":
        with pytest.raises((EOFError, OSError, zlib.error)):
            gzip.decompress(data)
    elif reason == "not_utf8":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    else:
        text = read_text(lake / key)
        lines = text.splitlines()
        if reason == "header_only":
            assert len(lines) == 1 and "plan_id" in lines[0]
        elif reason == "missing_required_column":
            assert "currency" not in next(csv.reader([lines[0]]))
        elif reason == "field_count_mismatch":
            widths = {len(row) for row in csv.reader(io.StringIO(text))}
            assert len(widths) > 1
        elif reason == "not_json_object":
            with pytest.raises(orjson.JSONDecodeError):
                [orjson.loads(line) for line in lines]
        elif reason == "required_field_absent":
            records = [orjson.loads(line) for line in lines]
            assert records and all("updatedAt" not in record for record in records)


@pytest.mark.parametrize("dataset", contract.DATASETS)
def test_bad_records_break_exactly_the_rules_the_summary_names(defect_run, dataset):
    lake, summary = defect_run
    found = Counter()
    for entry in summary["files"]:
        if entry["dataset"] == dataset and entry["expected"] == "archive":
            for record in read_records(lake / entry["key"], dataset):
                problem = first_violation(dataset, record)
                if problem:
                    found[problem] += 1
    injected = summary["defects_injected"]["bad_records"][dataset]
    expected = Counter({RECORD_DEFECTS[dataset][kind]: count for kind, count in injected.items()})
    assert set(injected) == set(RECORD_DEFECTS[dataset])
    assert found == expected


def test_bad_records_are_counted_in_their_files(defect_run):
    _, summary = defect_run
    per_dataset = Counter()
    for entry in summary["files"]:
        per_dataset[entry["dataset"]] += entry["bad_records"]
    for dataset in contract.DATASETS:
        assert per_dataset[dataset] == sum(summary["defects_injected"]["bad_records"][dataset].values())


@pytest.mark.parametrize("seed", range(10))
def test_no_good_file_is_empty_even_with_one_customer(tmp_path, seed):
    summary = generate(tmp_path, days=5, customers=1, events_per_day=3, seed=seed, defects=True)
    assert all(f["records"] for f in summary["files"] if f["expected"] == "archive")
