"""The whole pipeline on one machine: generate a few tiny days with defects, `c360 run` each
day in-process (one SparkSession), rerun with nothing new, `c360 export`, then check the
contract's invariants on the exported tables and the file accounting of every raw file."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from telco360 import contract
from telco360.cli import main as c360
from telco360.generator import DEFAULT_START_DATE, generate

pytestmark = [pytest.mark.end_to_end, pytest.mark.spark, pytest.mark.slow]

DAYS = 2
HIGH = pd.Timestamp(contract.HIGH_TIMESTAMP)


def digests(folder: Path) -> dict[str, str]:
    """{file name: sha256} of every file under `folder` (names are unique per dataset and day)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def pipeline(spark, tmp_path_factory):
    lake = tmp_path_factory.mktemp("e2e") / "lake"
    start = dt.date.fromisoformat(DEFAULT_START_DATE)
    delivered: dict[str, str] = {}  # raw key -> sha256, of every file ever dropped into raw/
    exit_codes = []
    for day in range(DAYS):
        generate(lake, DAYS, customers=30, events_per_day=120, seed=11, defects=True, only_day=day)
        delivered.update({f"raw/{k}": v for k, v in digests(lake / "raw").items()})
        run_date = (start + dt.timedelta(days=day)).isoformat()
        exit_codes.append(c360(["run", "--lake", str(lake), "--date", run_date, "--quiet"]))
    out = lake.parent / "out"
    exit_codes.append(c360(["export", "--lake", str(lake), "--out", str(out)]))
    last_date = (start + dt.timedelta(days=DAYS - 1)).isoformat()
    exit_codes.append(c360(["run", "--lake", str(lake), "--date", last_date, "--quiet"]))
    rerun_out = lake.parent / "out_rerun"
    exit_codes.append(c360(["export", "--lake", str(lake), "--out", str(rerun_out)]))

    def table(schema: str, name: str, folder: Path = out) -> pd.DataFrame:
        return pd.read_parquet(folder / schema / f"{name}.parquet")

    return {"lake": lake, "out": out, "rerun_out": rerun_out, "delivered": delivered,
            "exit_codes": exit_codes, "table": table}


def test_every_command_exits_zero(pipeline):
    assert pipeline["exit_codes"] == [0] * (DAYS + 3)


def test_every_raw_file_ends_in_exactly_one_of_archive_or_rejected_byte_identical(pipeline):
    lake = pipeline["lake"]
    routed = {}
    for zone in (contract.ARCHIVE, contract.REJECTED):
        for path in (lake / zone).rglob("*"):
            if path.is_file() and "_reasons" not in path.parts:
                dataset = path.relative_to(lake / zone).parts[0]
                routed.setdefault((dataset, path.name), []).append(hashlib.sha256(path.read_bytes()).hexdigest())
    expected = {}
    for key, digest in pipeline["delivered"].items():
        parts = Path(key).parts
        dataset = parts[1] if len(parts) > 2 and parts[1] in contract.DATASETS else "_unknown"
        expected[(dataset, parts[-1])] = [digest]
    assert routed == expected
    assert not [p for p in (lake / contract.RAW).rglob("*") if p.is_file()]


def test_every_rejected_file_has_a_reason(pipeline):
    lake = pipeline["lake"]
    rejected = [p for p in (lake / contract.REJECTED).rglob("*") if p.is_file() and "_reasons" not in p.parts]
    for path in rejected:
        relative = path.relative_to(lake / contract.REJECTED)
        reason = lake / contract.REJECTED / "_reasons" / relative.parent / f"{path.name}.json"
        assert json.loads(reason.read_text())["reason"] in contract.REJECTION_REASONS
    assert rejected


def test_exported_columns_are_the_contract_columns(pipeline):
    for table in contract.STAGING_TABLES:
        assert tuple(pipeline["table"]("STAGING", table).columns) == contract.column_names(table)
    for table in contract.DW_TABLES:
        assert tuple(pipeline["table"]("DW", table).columns) == contract.column_names(table)


def test_customer_versions_neither_overlap_nor_leave_gaps_and_one_is_current(pipeline):
    customers = pipeline["table"]("DW", "DIM_CUSTOMER")
    known = customers[customers["CUSTOMER_SK"] != contract.UNKNOWN_CUSTOMER_SK]
    for customer_id, versions in known.sort_values("EFFECTIVE_FROM").groupby("CUSTOMER_ID"):
        starts, ends = list(versions["EFFECTIVE_FROM"]), list(versions["EFFECTIVE_TO"])
        assert starts[1:] == ends[:-1], customer_id
        assert all(s < e for s, e in zip(starts, ends)), customer_id
        assert list(versions["IS_CURRENT"]) == [False] * (len(versions) - 1) + [True], customer_id
        assert ends[-1] == HIGH, customer_id
    assert len(known["CUSTOMER_ID"].unique()) > 0


def test_consecutive_versions_differ_in_a_tracked_attribute(pipeline):
    customers = pipeline["table"]("DW", "DIM_CUSTOMER")
    known = customers[customers["CUSTOMER_SK"] != contract.UNKNOWN_CUSTOMER_SK]
    tracked = list(contract.TRACKED_CUSTOMER_COLUMNS)
    for customer_id, versions in known.sort_values("EFFECTIVE_FROM").groupby("CUSTOMER_ID"):
        rows = versions[tracked].astype(object).where(versions[tracked].notna(), None).values.tolist()
        assert all(a != b for a, b in zip(rows, rows[1:])), customer_id


def test_surrogate_keys_are_unique_with_the_unknown_member(pipeline):
    customers = pipeline["table"]("DW", "DIM_CUSTOMER")
    assert customers["CUSTOMER_SK"].is_unique
    assert contract.UNKNOWN_CUSTOMER_SK in set(customers["CUSTOMER_SK"])


def test_each_fact_points_at_the_version_in_force_at_its_event(pipeline):
    customers = pipeline["table"]("DW", "DIM_CUSTOMER").set_index("CUSTOMER_SK")
    facts = pipeline["table"]("DW", "FACT_ACTIVITY")
    assert facts["EVENT_ID"].is_unique
    known = facts[facts["CUSTOMER_SK"] != contract.UNKNOWN_CUSTOMER_SK]
    versions = customers.loc[known["CUSTOMER_SK"]]
    assert list(versions["CUSTOMER_ID"]) == list(known["CUSTOMER_ID"])
    assert ((versions["EFFECTIVE_FROM"].values <= known["EVENT_TS"].values)
            & (known["EVENT_TS"].values < versions["EFFECTIVE_TO"].values)).all()
    assert list(versions["PLAN_ID"]) == list(known["PLAN_ID"])
    assert len(known) > 0


def test_unattached_facts_have_no_version_containing_them(pipeline):
    customers = pipeline["table"]("DW", "DIM_CUSTOMER")
    facts = pipeline["table"]("DW", "FACT_ACTIVITY")
    unattached = facts[facts["CUSTOMER_SK"] == contract.UNKNOWN_CUSTOMER_SK]
    assert unattached["PLAN_ID"].isna().all()
    merged = unattached.merge(customers, on="CUSTOMER_ID", suffixes=("", "_V"))
    inside = (merged["EFFECTIVE_FROM"] <= merged["EVENT_TS"]) & (merged["EVENT_TS"] < merged["EFFECTIVE_TO"])
    assert not inside.any()


def test_every_plan_a_customer_references_is_in_dim_plan(pipeline):
    plans = pipeline["table"]("DW", "DIM_PLAN")
    customers = pipeline["table"]("DW", "DIM_CUSTOMER")
    assert plans["PLAN_ID"].is_unique
    assert set(customers["PLAN_ID"].dropna()) <= set(plans["PLAN_ID"])


def test_rerun_with_nothing_new_changes_no_dw_table(pipeline):
    for table in ("DIM_PLAN", "DIM_CUSTOMER", "FACT_ACTIVITY"):
        before = pipeline["table"]("DW", table)
        after = pipeline["table"]("DW", table, pipeline["rerun_out"])
        pd.testing.assert_frame_equal(before, after, obj=table)


def test_every_run_left_a_succeeded_record(pipeline):
    records = [json.loads(p.read_text()) for p in (pipeline["lake"] / "_runs").glob("*.json")]
    assert sorted(r["status"] for r in records) == ["SUCCEEDED"] * (DAYS + 1)


def test_every_critical_data_quality_check_passed_on_every_run(pipeline):
    results = pipeline["table"]("DW", "DQ_CHECK_RESULTS", pipeline["rerun_out"])
    critical = results[results["SEVERITY"] == "CRITICAL"]
    assert (results["RUN_ID"].nunique(), sorted(set(critical["STATUS"]) - {"SKIPPED"})) == (DAYS + 1, ["PASS"])


def test_marts_are_refreshed_and_exported(pipeline):
    counts = {name: len(pipeline["table"]("DW", name)) for name in contract.ANALYTICS_TABLES if name.startswith("MART_")}
    assert all(counts.values()), counts
