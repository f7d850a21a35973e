"""Same seed, same bytes; one day alone equals that day of the full run."""
from __future__ import annotations

import pytest

from telco360.generator import generate

from .conftest import SMALL_RUN, lake_files
from .record_rules import read_text


def test_same_seed_writes_identical_bytes(tmp_path, clean_run):
    lake, _ = clean_run
    generate(tmp_path, **SMALL_RUN)
    assert lake_files(tmp_path) == lake_files(lake)


def test_different_seed_writes_different_customer_and_activity_files(tmp_path, clean_run):
    lake, _ = clean_run
    generate(tmp_path, **{**SMALL_RUN, "seed": SMALL_RUN["seed"] + 1})
    ours, theirs = lake_files(tmp_path), lake_files(lake)
    assert ours.keys() == theirs.keys()
    differing = {key for key in ours if ours[key] != theirs[key]}
    assert {key for key in ours if "/customers/" in key or "/activity_logs/" in key} <= differing


@pytest.mark.parametrize("day", [0, 2, 3])
def test_only_day_writes_exactly_that_day_of_the_full_run(tmp_path, defect_run, day):
    lake, summary = defect_run
    single = generate(tmp_path, defects=True, only_day=day, **SMALL_RUN)
    extract_date = summary["extract_dates"][day]
    expected = {f["key"]: (lake / f["key"]).read_bytes() for f in summary["files"] if f["extract_date"] == extract_date}
    assert lake_files(tmp_path) == expected
    assert single["extract_dates"] == [extract_date]


def test_a_day_does_not_depend_on_how_many_days_the_run_has(tmp_path, clean_run):
    lake, summary = clean_run
    generate(tmp_path, **{**SMALL_RUN, "days": 2})
    first_two_days = {k: v for k, v in lake_files(lake).items()
                      if any(d.replace("-", "") in k for d in summary["extract_dates"][:2])}
    assert lake_files(tmp_path) == first_two_days


def test_good_files_are_identical_with_and_without_defects_apart_from_the_added_bad_records(clean_run, defect_run):
    (clean_lake, clean_summary), (defect_lake, defect_summary) = clean_run, defect_run
    good_keys = [f["key"] for f in defect_summary["files"] if f["expected"] == "archive"]
    assert good_keys == [f["key"] for f in clean_summary["files"]]
    for key in good_keys:
        clean_lines = read_text(clean_lake / key).splitlines()
        defect_lines = read_text(defect_lake / key).splitlines()
        remaining = list(defect_lines)
        for line in clean_lines:  # every clean line is still there; what is left was added
            del remaining[remaining.index(line)]
        bad = next(f["bad_records"] for f in defect_summary["files"] if f["key"] == key)
        assert len(remaining) == bad, key


def test_rerun_into_the_same_lake_leaves_the_same_files(tmp_path):
    generate(tmp_path, **{**SMALL_RUN, "days": 1})
    before = lake_files(tmp_path)
    generate(tmp_path, **{**SMALL_RUN, "days": 1})
    assert lake_files(tmp_path) == before
