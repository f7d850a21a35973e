"""Glue Job A: archive/ -> clean/ (parse, standardize, quarantine bad records, lineage).

Arguments: --lake_uri (local folder or s3://bucket[/prefix]), --run_id, optional
--reprocess_date YYYY-MM-DD (redo that ingest date). Deployed with the `telco360` package in
--extra-py-files; run locally by `c360 glue clean`. The logic is in telco360.spark.
"""
from __future__ import annotations

import json

from telco360.spark.clean_run import pending_input_bytes, run_clean_job
from telco360.spark.runtime import check_date, check_run_id, job_spark_session, resolve_arguments, run_in_glue_job
from telco360.spark.storage import open_lake_storage


def main(argv: list[str] | None = None) -> dict:
    args = resolve_arguments("clean_job", argv, ["lake_uri"], ["run_id", "reprocess_date"])
    run_id = check_run_id(args["run_id"])
    reprocess_date = check_date("reprocess_date", args["reprocess_date"])
    storage = open_lake_storage(args["lake_uri"])
    spark = job_spark_session("telco360-clean", lambda: pending_input_bytes(storage, reprocess_date))
    return run_in_glue_job(spark, "clean_job", argv, lambda: run_clean_job(spark, storage, run_id, reprocess_date))


if __name__ == "__main__":
    print(json.dumps(main(), indent=2, default=str))
