"""Glue Job B: clean/ -> staging/ (dedupe, plan state and catalog flags, the staging snapshot).

Arguments: --lake_uri (local folder or s3://bucket[/prefix]), --run_id. Deployed with the
`telco360` package in --extra-py-files; run locally by `c360 glue staging`. The logic is in
telco360.spark.
"""
from __future__ import annotations

import json

from telco360.spark.runtime import check_run_id, job_spark_session, resolve_arguments, run_in_glue_job
from telco360.spark.staging_run import pending_input_bytes, run_staging_job
from telco360.spark.storage import open_lake_storage


def main(argv: list[str] | None = None) -> dict:
    args = resolve_arguments("staging_job", argv, ["lake_uri"], ["run_id"])
    run_id = check_run_id(args["run_id"])
    storage = open_lake_storage(args["lake_uri"])
    spark = job_spark_session("telco360-staging", lambda: pending_input_bytes(storage))
    return run_in_glue_job(spark, "staging_job", argv, lambda: run_staging_job(spark, storage, run_id))


if __name__ == "__main__":
    print(json.dumps(main(), indent=2, default=str))
