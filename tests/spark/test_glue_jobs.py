"""Both Glue scripts end to end over a literal lake folder, through `c360 glue` and `main()`.

One module-scoped lake goes through a sequence of runs (Spark jobs cost seconds each); every
test asserts one behaviour of one step of that sequence.
"""
from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from telco360 import cli, contract
from telco360.runner import handlers
from telco360.spark import clean_run, session, staging_run
from telco360.spark.storage import LocalLakeStorage

DAY1 = "2024-01-15"
DAY2 = "2024-01-16"

CUSTOMERS_DAY1 = (
    '{"customerId":"C0000001","firstName":"Ada","lastName":"Okafor","planId":"P1","status":"active",'
    '"signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00+01:00"}\n'
    '{"customerId":"C0000001","firstName":"Ada","lastName":"Okafor","planId":"P1","status":"active",'
    '"signupDate":"2023-02-01","updatedAt":"2024-01-15T09:00:00+01:00"}\n'
    '{"customerId":"C0000002","firstName":"Bo","lastName":"Li","planId":"P404","status":"ACTIVE",'
    '"signupDate":"2023-02-01","updatedAt":"2024-01-15T10:00:00Z"}\n'
    '{"customerId":"bad","firstName":"X","lastName":"Y","planId":"P1","status":"ACTIVE",'
    '"signupDate":"2023-02-01","updatedAt":"2024-01-15T10:00:00Z"}\n'
)
PLANS_DAY1 = (
    "plan_id,plan_name,plan_type,monthly_fee,currency,data_allowance_gb,voice_minutes,sms_allowance,"
    "contract_months,updated_at\n"
    'P1,"Basic, monthly",prepaid,5.00,USD,1.5,100,100,0,2024-01-01T00:00:00Z\n'
)
ACTIVITY_DAY1 = (
    '{"event_id":"E1","customer_id":"C0000001","event_type":"SMS","event_ts":"2024-01-15T12:00:00Z"}\n'
    '{"event_id":"E1","customer_id":"C0000001","event_type":"SMS","event_ts":"2024-01-15T12:00:00Z"}\n'
    '{"event_id":"E2","customer_id":"C0000001","event_type":"VOICE","event_ts":"2024-01-15T12:00:00Z"}\n'
)
CUSTOMERS_DAY2 = (
    '{"customerId":"C0000001","firstName":"Ada","lastName":"Okafor","planId":"P1","status":"SUSPENDED",'
    '"signupDate":"2023-02-01","updatedAt":"2024-01-16T09:00:00Z"}\n'
)
ACTIVITY_DAY2 = (
    '{"event_id":"E1","customer_id":"C0000001","event_type":"SMS","event_ts":"2024-01-15T12:00:00Z"}\n'
    '{"event_id":"E9","customer_id":"C0000001","event_type":"DATA","event_ts":"2024-01-16T12:00:00Z","data_mb":3}\n'
)


def _archive(lake, dataset, day, name, text):
    folder = lake / "archive" / dataset / f"ingest_date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def _clean_rows(lake, dataset, day, run_id):
    table = pq.read_table(lake / "clean" / dataset / f"ingest_date={day}" / f"clean_run_id={run_id}")
    return sorted(table.to_pylist(), key=lambda r: (r["source_file"], r["source_line"]))


def _staged(lake, manifest, table):
    entry = manifest["tables"][table]
    return pq.read_table(lake / "staging" / entry["path"]).to_pylist()


def _cli_json(capsys, argv):
    capsys.readouterr()
    code = cli.main(argv + ["--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    """The sequence: clean, idle rerun, staging, reprocess, a second day, idle staging."""
    results = {}
    lake = tmp_path_factory.mktemp("lake")
    _archive(lake, "customers", DAY1, "customers_20240115.ndjson", CUSTOMERS_DAY1)
    _archive(lake, "plans", DAY1, "plans_20240115.csv", PLANS_DAY1)
    _archive(lake, "activity_logs", DAY1, "activity_logs_20240115.ndjson", ACTIVITY_DAY1)
    clean_main, staging_main = handlers.glue_main("clean_job.py"), handlers.glue_main("staging_job.py")
    lake_uri = ["--lake_uri", str(lake)]
    storage = LocalLakeStorage(lake)

    results["clean_input_before"] = clean_run.pending_input_bytes(storage)
    results["clean1"] = clean_main(lake_uri + ["--run_id", "r1", "--JOB_NAME", "clean"])
    results["clean_input_after"] = clean_run.pending_input_bytes(storage)
    results["reprocess_input"] = clean_run.pending_input_bytes(storage, DAY1)
    results["clean1_rows"] = _clean_rows(lake, "customers", DAY1, "r1")
    crashed = lake / "clean" / "customers" / f"ingest_date={DAY1}" / "clean_run_id=crashed"
    shutil.copytree(crashed.parent / "clean_run_id=r1", crashed)
    results["clean2"] = clean_main(lake_uri + ["--run_id", "r2", "--reprocess_date", ""])
    results["crashed_left"] = crashed.exists()
    results["clean1_again"] = clean_main(lake_uri + ["--run_id", "r1"])
    results["staging_input_before"] = staging_run.pending_input_bytes(storage)
    results["r1_parquet_bytes"] = sum(
        f.stat().st_size for d in ("customers", "activity_logs") for f in (lake / "clean" / d).rglob("*.parquet")
    )
    results["staging1"] = staging_main(lake_uri + ["--run_id", "s1"])
    results["staging_input_after"] = staging_run.pending_input_bytes(storage)
    results["clean3"] = clean_main(lake_uri + ["--run_id", "r3", "--reprocess_date", DAY1])
    results["clean3_rows"] = _clean_rows(lake, "customers", DAY1, "r3")
    results["r1_left"] = (lake / "clean" / "customers" / f"ingest_date={DAY1}" / "clean_run_id=r1").exists()
    _archive(lake, "customers", DAY2, "customers_20240116.ndjson", CUSTOMERS_DAY2)
    _archive(lake, "activity_logs", DAY2, "activity_logs_20240116.ndjson", ACTIVITY_DAY2)
    results["clean4"] = clean_main(lake_uri + ["--run_id", "r4"])
    results["staging2"] = staging_main(lake_uri + ["--run_id", "s2"])
    results["lake"] = lake
    return results


def test_clean_run_counts_records_per_quarantine_reason(runs):
    customers = runs["clean1"]["datasets"]["customers"]
    assert (customers["records"], customers["clean"], customers["quarantine_reasons"]) == (
        4, 3, {"bad_pattern:customerId": 1},
    )


def test_clean_run_manifest_is_written_under_clean_manifests(runs):
    manifest = json.loads((runs["lake"] / "clean" / "_manifests" / "r1.json").read_text())
    assert manifest["datasets"]["activity_logs"]["quarantine_reasons"] == {"missing_for_type:duration_sec": 1}


def test_quarantined_record_is_written_with_reason_file_and_line(runs):
    rows = pq.read_table(runs["lake"] / "clean" / "_quarantine" / "customers").to_pylist()
    assert [(r["reason"], r["source_file"], r["source_line"]) for r in rows] == [
        ("bad_pattern:customerId", "customers_20240115.ndjson", 4),
    ]


def test_rerun_with_nothing_new_processes_no_file(runs):
    assert runs["clean2"]["datasets"] == {}


def test_output_of_a_run_that_never_committed_is_removed(runs):
    assert (runs["crashed_left"], runs["clean2"]["removed_uncommitted_partitions"]) == (
        False, [f"clean/customers/ingest_date={DAY1}/clean_run_id=crashed/"],
    )


def test_run_id_that_already_committed_changes_nothing(runs):
    assert (runs["clean1_again"]["status"], runs["clean1_again"]["datasets"]) == (
        "already_completed", runs["clean1"]["datasets"],
    )


def test_reprocess_date_rewrites_the_same_rows(runs):
    assert runs["clean3_rows"] == runs["clean1_rows"]


def test_reprocess_date_replaces_the_earlier_partition(runs):
    assert runs["r1_left"] is False


def test_clean_input_is_the_archived_files_not_processed_yet(runs):
    day1 = sum(f.stat().st_size for f in (runs["lake"] / "archive").rglob(f"ingest_date={DAY1}/*"))
    assert day1 > 0
    assert (runs["clean_input_before"], runs["clean_input_after"], runs["reprocess_input"]) == (day1, 0, day1)


def test_staging_input_is_the_clean_rows_of_runs_not_staged_yet(runs):
    parquet_as_text = runs["r1_parquet_bytes"] * session.COMPRESSED_SIZE_RATIO
    assert parquet_as_text > 0
    assert (runs["staging_input_before"], runs["staging_input_after"]) == (parquet_as_text, 0)


def test_staging_tables_have_exactly_the_contract_columns(runs):
    lake, manifest = runs["lake"], runs["staging1"]
    columns = {t: tuple(pq.read_table(lake / "staging" / e["path"]).column_names) for t, e in manifest["tables"].items()}
    assert columns == {t: contract.column_names(t) for t in contract.STAGING_TABLES}


def test_staging_manifest_lists_rows_and_files_and_latest_is_the_last_run(runs):
    lake = runs["lake"]
    latest = json.loads((lake / "staging" / "_manifest.json").read_text())
    per_run = json.loads((lake / "staging" / "_manifests" / "s2.json").read_text())
    s1 = runs["staging1"]["tables"]["STG_CUSTOMERS"]
    assert latest == per_run and (s1["path"], s1["rows"], len(s1["files"]) >= 1) == ("customers/run_id=s1/", 2, True)


def test_staging_manifest_records_its_run_date_and_is_that_dates_own_manifest(runs):
    # Run id "s2" names no date: the run is made for the UTC date it ran (lake.staging_run_date).
    lake = runs["lake"]
    per_run = json.loads((lake / "staging" / "_manifests" / "s2.json").read_text())
    own = lake / "staging" / "_manifests" / "by_run_date" / f"{per_run['created_at'][:10]}.json"
    assert per_run["run_date"] == per_run["created_at"][:10] and json.loads(own.read_text()) == per_run


def test_staging_collapses_redelivered_customer_and_flags_unknown_plan(runs):
    rows = _staged(runs["lake"], runs["staging1"], "STG_CUSTOMERS")
    assert sorted((r["CUSTOMER_ID"], r["SOURCE_LINE"], r["PLAN_IN_CATALOG"]) for r in rows) == [
        ("C0000001", 2, True), ("C0000002", 3, False),
    ]


def test_staging_activity_has_one_row_per_event(runs):
    assert [r["EVENT_ID"] for r in _staged(runs["lake"], runs["staging1"], "STG_ACTIVITY")] == ["E1"]


def test_second_staging_run_stages_each_event_of_its_runs_once_without_reading_earlier_snapshots(runs):
    # E1 was staged by s1 too; the warehouse inserts only EVENT_IDs it does not hold yet.
    rows = _staged(runs["lake"], runs["staging2"], "STG_ACTIVITY")
    assert sorted((r["EVENT_ID"], r["SOURCE_FILE"], r["SOURCE_LINE"]) for r in rows) == [
        ("E1", "activity_logs_20240115.ndjson", 1), ("E9", "activity_logs_20240116.ndjson", 2),
    ]


def test_second_staging_run_stages_new_and_reprocessed_customer_states(runs):
    rows = _staged(runs["lake"], runs["staging2"], "STG_CUSTOMERS")
    assert sorted((r["STATUS"], str(r["EXTRACT_DATE"])) for r in rows) == [
        ("ACTIVE", DAY1), ("ACTIVE", DAY1), ("SUSPENDED", DAY2),
    ]


def test_staging_plans_always_carry_the_full_catalog_state(runs):
    rows = _staged(runs["lake"], runs["staging2"], "STG_PLANS")
    assert [(r["PLAN_ID"], r["PLAN_NAME"], r["IN_LATEST_CATALOG"]) for r in rows] == [("P1", "Basic, monthly", True)]


def test_c360_glue_staging_with_nothing_new_writes_zero_row_tables(runs, capsys):
    code, summary = _cli_json(capsys, ["glue", "staging", "--lake", str(runs["lake"]), "--run-id", "s3"])
    rows = {t: e["rows"] for t, e in summary["tables"].items()}
    assert (code, rows) == (0, {"STG_CUSTOMERS": 0, "STG_PLANS": 1, "STG_ACTIVITY": 0})


def test_c360_glue_says_what_it_did_without_the_jobs_cloudwatch_log_lines(runs, capsys, caplog):
    caplog.set_level("INFO")
    assert cli.main(["glue", "staging", "--lake", str(runs["lake"]), "--run-id", "s4"]) == 0
    assert "staging run s4: succeeded" in capsys.readouterr().out
    assert [r.message for r in caplog.records if r.name.startswith("telco360.glue")] == []


def test_c360_glue_rejects_a_run_id_unfit_for_a_partition(runs, capsys):
    assert cli.main(["glue", "clean", "--lake", str(runs["lake"]), "--run-id", "a/b"]) == 2
