"""Glue Job B's I/O wiring: the clean runs not staged yet -> one staging snapshot + manifest.

Layout written (lake-relative keys), the formal contract with Snowflake:
- `staging/<dataset>/run_id=<R>/*.parquet`   STG_CUSTOMERS, STG_PLANS, STG_ACTIVITY
- `staging/_manifests/<R>.json`, `staging/_manifests/by_run_date/<D>.json` (the run made for
  RUN_DATE D, `lake.staging_run_date`), then `staging/_manifest.json` (the latest run)
- `staging/_bookmarks/staging_job.json`       clean runs staged, staging runs completed (commit point)
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from telco360 import contract, lake
from telco360.logs import get_logger, log_event
from telco360.spark import clean_run, staging
from telco360.spark.schemas import CLEAN_RUN_ID, clean_schema
from telco360.spark.session import text_bytes
from telco360.spark.storage import LakeStorage, read_json, write_json

BOOKMARK_KEY = lake.STAGING_BOOKMARK_KEY
LATEST_MANIFEST_KEY = lake.STAGING_LATEST_MANIFEST_KEY
MANIFESTS = lake.STAGING_MANIFESTS

logger = get_logger("telco360.glue.staging")


def manifest_key(run_id: str) -> str:
    return lake.staging_manifest_key(run_id)


def table_folder(dataset: str, run_id: str) -> str:
    """Relative to `staging/`, as the manifest records it."""
    return f"{dataset}/run_id={run_id}/"


def load_bookmark(storage: LakeStorage) -> dict:
    return read_json(storage, BOOKMARK_KEY, {"staged_clean_runs": [], "completed_runs": []})


def unstaged_clean_runs(committed_runs: list[str], bookmark: dict) -> list[str]:
    """Committed Job A runs no Job B run has staged yet, in commit order."""
    return [run for run in committed_runs if run not in bookmark["staged_clean_runs"]]


def pending_input_bytes(storage: LakeStorage) -> int:
    """The clean customer and activity rows a run would stage now, as bytes of text
    (`session.text_bytes`): the local JVM is sized by it. The plan history it also reads is
    a few catalogs."""
    new_runs = set(unstaged_clean_runs(clean_run.load_bookmark(storage)["committed_runs"], load_bookmark(storage)))
    return text_bytes({
        key: size
        for dataset in (contract.CUSTOMERS, contract.ACTIVITY_LOGS)
        for key, size in storage.key_sizes(clean_run.clean_key(dataset)).items()
        if key.endswith(".parquet") and clean_run.clean_run_of(key) in new_runs
    })


def empty_frame(spark: SparkSession, schema: T.StructType) -> DataFrame:
    """No rows, no tasks: `createDataFrame([])` would start Python workers to read its two
    empty partitions (~1.7 s in a fresh JVM)."""
    return spark.createDataFrame(spark.sparkContext.emptyRDD(), schema)


def read_clean(spark: SparkSession, storage: LakeStorage, dataset: str, run_ids: list[str]) -> DataFrame:
    """Clean rows of the given committed Job A runs (partition pruning on `clean_run_id`)."""
    schema = clean_schema(dataset)
    if not run_ids or not any(k.endswith(".parquet") for k in storage.list_keys(clean_run.clean_key(dataset))):
        return empty_frame(spark, schema)
    frame = spark.read.schema(schema).parquet(storage.spark_path(clean_run.clean_key(dataset)))
    return frame.where(F.col(CLEAN_RUN_ID).isin(run_ids))


def write_table(storage: LakeStorage, frame: DataFrame, dataset: str, run_id: str) -> dict:
    """Write one staging table; its row count is observed as the write runs (no second read)."""
    folder = table_folder(dataset, run_id)
    written = Observation()
    counted = frame.observe(written, F.count(F.lit(1)).alias("rows"))
    counted.write.mode("overwrite").parquet(storage.spark_path(f"{contract.STAGING}/{folder}"))
    files = [
        key.rsplit("/", 1)[1]
        for key in storage.list_keys(f"{contract.STAGING}/{folder}")
        if key.endswith(".parquet")
    ]
    return {"path": folder, "files": files, "rows": written.get["rows"]}


def run_staging_job(spark: SparkSession, storage: LakeStorage, run_id: str) -> dict:
    """Stage the clean runs Job A committed since the previous Job B run. A run id that already
    completed changes nothing and returns its manifest."""
    bookmark = load_bookmark(storage)
    if run_id in bookmark["completed_runs"]:
        return {**read_json(storage, manifest_key(run_id), {"run_id": run_id}), "status": "already_completed"}
    committed = clean_run.load_bookmark(storage)["committed_runs"]
    new_runs = unstaged_clean_runs(committed, bookmark)

    plans_history = read_clean(spark, storage, contract.PLANS, committed)
    tables = {
        "STG_CUSTOMERS": staging.build_stg_customers(
            read_clean(spark, storage, contract.CUSTOMERS, new_runs), plans_history
        ),
        "STG_PLANS": staging.build_stg_plans(plans_history),
        "STG_ACTIVITY": staging.build_stg_activity(read_clean(spark, storage, contract.ACTIVITY_LOGS, new_runs)),
    }
    dataset_of = {table: dataset for dataset, table in contract.STAGING_TABLE_OF_DATASET.items()}
    # Written side by side, as Job A cleans its datasets (see clean_run.run_clean_job).
    with ThreadPoolExecutor(max_workers=len(tables)) as pool:
        futures = {t: pool.submit(write_table, storage, frame, dataset_of[t], run_id) for t, frame in tables.items()}
        written = {table: futures[table].result() for table in tables}
    created_at = dt.datetime.now(dt.timezone.utc)
    manifest = {
        "run_id": run_id,
        "run_date": lake.staging_run_date(run_id, created_at),
        "created_at": created_at.isoformat(timespec="seconds"),
        "clean_runs": new_runs,
        "tables": written,
    }
    write_json(storage, manifest_key(run_id), manifest)
    # Then the run date's own manifest (what a load of that RUN_DATE reads when a later run
    # has taken the latest), and the latest last.
    write_json(storage, f"{contract.STAGING}/{lake.run_date_manifest_name(manifest['run_date'])}", manifest)
    write_json(storage, LATEST_MANIFEST_KEY, manifest)
    bookmark["staged_clean_runs"] += new_runs
    bookmark["completed_runs"].append(run_id)
    write_json(storage, BOOKMARK_KEY, bookmark)
    log_event(logger, "staging snapshot written", step="staging", run_id=run_id,
              rows={t: v["rows"] for t, v in manifest["tables"].items()}, clean_runs=new_runs)
    return {"job": "staging", "status": "succeeded", **manifest}
