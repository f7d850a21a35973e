"""The lake storage helper (local folder and S3 via moto), the Glue argument parsing and the
local session's sizing."""
from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from telco360.spark import session, staging_run
from telco360.spark.runtime import JobInputError, check_date, check_run_id, job_spark_session, resolve_arguments
from telco360.spark.schemas import clean_schema
from telco360.spark.storage import LocalLakeStorage, S3LakeStorage, open_lake_storage, read_json, write_json


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        yield LocalLakeStorage(tmp_path)
        return
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="lake")
        yield S3LakeStorage("s3://lake/prod", client)


def test_json_written_is_read_back(storage):
    write_json(storage, "clean/_bookmarks/clean_job.json", {"committed_runs": ["r1"]})
    assert read_json(storage, "clean/_bookmarks/clean_job.json") == {"committed_runs": ["r1"]}


def test_missing_json_reads_as_the_default(storage):
    write_json(storage, "clean/_bookmarks/clean_job.json.old", {})
    assert read_json(storage, "clean/_bookmarks/clean_job.json", {"fresh": True}) == {"fresh": True}


def test_keys_are_listed_relative_to_the_lake(storage):
    storage.write_bytes("archive/plans/ingest_date=2024-01-15/plans_20240115.csv", b"x")
    storage.write_bytes("archive/customers/ingest_date=2024-01-15/customers_20240115.ndjson", b"x")
    assert storage.list_keys("archive/plans/") == ["archive/plans/ingest_date=2024-01-15/plans_20240115.csv"]


def test_key_sizes_are_the_stored_bytes_of_each_key(storage):
    storage.write_bytes("archive/plans/ingest_date=2024-01-15/plans_20240115.csv", b"abc")
    storage.write_bytes("archive/plans/ingest_date=2024-01-16/plans_20240116.csv", b"")
    assert storage.key_sizes("archive/plans/") == {
        "archive/plans/ingest_date=2024-01-15/plans_20240115.csv": 3,
        "archive/plans/ingest_date=2024-01-16/plans_20240116.csv": 0,
    }


def test_delete_prefix_removes_only_that_folder(storage):
    storage.write_bytes("clean/customers/ingest_date=2024-01-15/a.parquet", b"x")
    storage.write_bytes("clean/customers/ingest_date=2024-01-16/b.parquet", b"x")
    removed = storage.delete_prefix("clean/customers/ingest_date=2024-01-15/")
    assert (removed, storage.list_keys("clean/")) == (1, ["clean/customers/ingest_date=2024-01-16/b.parquet"])


def test_local_write_leaves_no_temporary_file(tmp_path):
    storage = LocalLakeStorage(tmp_path)
    write_json(storage, "staging/_manifest.json", {"run_id": "s1"})
    write_json(storage, "staging/_manifest.json", {"run_id": "s2"})
    assert storage.list_keys("staging/") == ["staging/_manifest.json"]


def test_s3_uri_maps_keys_to_spark_paths_under_its_prefix():
    assert S3LakeStorage("s3://lake/prod/", client=object()).spark_path("clean/plans/") == "s3://lake/prod/clean/plans/"


def test_a_folder_uri_opens_local_storage(tmp_path):
    assert isinstance(open_lake_storage(str(tmp_path)), LocalLakeStorage)


def test_glue_arguments_ignore_glue_own_arguments_and_blank_optionals():
    args = resolve_arguments("clean_job", ["--JOB_NAME", "c", "--lake_uri", "s3://lake", "--reprocess_date", ""],
                             ["lake_uri"], ["run_id", "reprocess_date"])
    assert args == {"lake_uri": "s3://lake", "run_id": None, "reprocess_date": None}


def test_missing_run_id_gets_a_utc_timestamp_id():
    assert check_run_id(None).endswith("Z")


def test_run_id_that_cannot_name_a_partition_is_refused():
    with pytest.raises(JobInputError, match="partition"):
        check_run_id("2024/01/15")


def test_reprocess_date_must_be_iso():
    with pytest.raises(JobInputError, match="reprocess_date"):
        check_date("reprocess_date", "15.01.2024")


def _fake_awsglue(monkeypatch, **modules):
    import sys
    import types

    package = types.ModuleType("awsglue")
    monkeypatch.setitem(sys.modules, "awsglue", package)
    for name, attributes in modules.items():
        module = types.ModuleType(f"awsglue.{name}")
        module.__dict__.update(attributes)
        monkeypatch.setitem(sys.modules, f"awsglue.{name}", module)


def test_in_glue_arguments_come_from_get_resolved_options_with_present_optionals_only(monkeypatch):
    calls = []

    def get_resolved_options(argv, names):
        calls.append((argv, names))
        return {"lake_uri": "s3://lake", "run_id": "jr_1"}

    _fake_awsglue(monkeypatch, utils={"getResolvedOptions": get_resolved_options})
    args = resolve_arguments("clean_job", ["--lake_uri", "s3://lake", "--run_id", "jr_1"],
                             ["lake_uri"], ["run_id", "reprocess_date"])
    assert (calls, args) == (
        [(["clean_job", "--lake_uri", "s3://lake", "--run_id", "jr_1"], ["lake_uri", "run_id"])],
        {"lake_uri": "s3://lake", "run_id": "jr_1", "reprocess_date": None},
    )


def test_in_glue_the_session_comes_from_the_glue_context_pinned_to_utc(monkeypatch, spark):
    from telco360.spark.runtime import job_spark_session

    class GlueContext:
        def __init__(self, spark_context):
            self.spark_session = spark

    _fake_awsglue(monkeypatch, context={"GlueContext": GlueContext})
    spark.conf.set("spark.sql.session.timeZone", "Europe/Paris")
    assert job_spark_session("clean").conf.get("spark.sql.session.timeZone") == "UTC"


def test_local_jvm_runs_c1_for_small_input_and_tiered_c2_for_large(monkeypatch):
    monkeypatch.delenv("C360_SPARK_JAVA_OPTIONS", raising=False)
    assert session.jit_options(session.LARGE_INPUT_BYTES - 1) == session.SMALL_INPUT_JIT_OPTIONS
    assert "-XX:TieredStopAtLevel=1" in session.SMALL_INPUT_JIT_OPTIONS
    assert session.jit_options(session.LARGE_INPUT_BYTES) == session.LARGE_INPUT_JIT_OPTIONS
    assert "TieredStopAtLevel" not in session.LARGE_INPUT_JIT_OPTIONS


def test_the_local_jvm_has_room_to_compile_through_a_long_backfill(spark):
    # The test session's JVM starts with the small-input flags (C1 alone, 48 MiB by default).
    jvm = spark.sparkContext._jvm
    diagnostics = jvm.java.lang.management.ManagementFactory.getPlatformMXBean(
        jvm.java.lang.Class.forName("com.sun.management.HotSpotDiagnosticMXBean")
    )
    assert int(diagnostics.getVMOption("ReservedCodeCacheSize").getValue()) >= 240 * 2**20


def test_compressed_input_counts_as_the_text_it_holds():
    sizes = {"archive/a.ndjson.gz": 10, "archive/b.ndjson": 10, "archive/c.csv": 1, "clean/d.parquet": 2}
    assert session.text_bytes(sizes) == 10 * session.COMPRESSED_SIZE_RATIO + 10 + 1 + 2 * session.COMPRESSED_SIZE_RATIO


def test_java_options_from_the_environment_replace_the_jit_choice(monkeypatch):
    monkeypatch.setenv("C360_SPARK_JAVA_OPTIONS", "-XX:+UseSerialGC")
    assert session.jit_options(0) == session.jit_options(10 * session.LARGE_INPUT_BYTES) == "-XX:+UseSerialGC"


def test_a_local_job_session_asks_for_the_job_input_size(spark):
    asked = []
    assert job_spark_session("telco360-tests", lambda: asked.append(True) or 0) is spark
    assert asked == [True]


def test_in_glue_the_job_input_size_is_not_asked(monkeypatch, spark):
    class GlueContext:
        def __init__(self, spark_context):
            self.spark_session = spark

    asked = []
    _fake_awsglue(monkeypatch, context={"GlueContext": GlueContext})
    assert job_spark_session("clean", lambda: asked.append(True) or 0) is spark
    assert asked == []


def test_job_b_input_with_nothing_to_read_starts_no_python_workers(spark, tmp_path, python_worker_tasks):
    storage = LocalLakeStorage(tmp_path)
    frame = staging_run.read_clean(spark, storage, "activity_logs", ["r1"])
    assert (python_worker_tasks(frame), frame.count(), frame.schema) == (0, 0, clean_schema("activity_logs"))


def test_local_spark_session_prints_no_notices(tmp_path):
    """A local job's stderr carries what it reports, not Spark's start-up notices (host name,
    native Hadoop library, default log level) or 'Using an existing Spark session'."""
    import os
    import subprocess
    import sys

    probe = f"""
from telco360.spark.session import local_spark_session
spark = local_spark_session("probe")
spark.range(3).write.parquet({str(tmp_path / 'out')!r})
assert spark.read.parquet({str(tmp_path / 'out')!r}).count() == 3
local_spark_session("probe")
spark.stop()
"""
    env = {k: v for k, v in os.environ.items() if k != "SPARK_LOCAL_IP"}
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, env=env)
    assert completed.returncode == 0, completed.stderr
    assert [line for line in completed.stderr.splitlines() if line.strip()] == []
