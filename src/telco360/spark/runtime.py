"""What the two Glue scripts share: argument parsing, the SparkSession, run ids.

In AWS Glue, `awsglue` is importable: arguments come from `getResolvedOptions` and the session
from the GlueContext. Locally, an argparse parser with the same names stands in, and the
session is `telco360.spark.session.local_spark_session`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from typing import Callable

RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")


class JobInputError(ValueError):
    """A problem the operator fixes (bad argument, unusable input); the message says how."""


def resolve_arguments(script: str, argv: list[str] | None, required: list[str], optional: list[str]) -> dict:
    """Glue-style `--name value` arguments -> {name: value}; absent or empty optional ones are None.

    `argv` excludes the program name; None means `sys.argv[1:]`. Unknown arguments (Glue adds
    its own, e.g. `--JOB_NAME`) are ignored.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    present_optional = [name for name in optional if f"--{name}" in args]
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError:
        parser = argparse.ArgumentParser(prog=script)
        for name in required:
            parser.add_argument(f"--{name}", required=True)
        for name in optional:
            parser.add_argument(f"--{name}", default=None)
        known, _ = parser.parse_known_args(args)
        resolved = vars(known)
    else:
        resolved = getResolvedOptions([script, *args], required + present_optional)
    values = {name: resolved.get(name) or None for name in required + optional}
    for name in optional:
        if values[name] in ("", "none", "None", "null"):
            values[name] = None
    return values


def job_spark_session(app_name: str, input_bytes: Callable[[], int] = lambda: 0):
    """The Glue job's SparkSession (GlueContext in AWS, local[N] here), pinned to UTC and
    microsecond Parquet timestamps: the staging contract depends on both.

    `input_bytes` (what the job will read) is asked only for a local session, whose JIT
    flags depend on it (`session.jit_options`); Glue runs its own JVM."""
    try:
        from awsglue.context import GlueContext
        from pyspark.context import SparkContext
    except ImportError:
        from telco360.spark.session import local_spark_session

        spark = local_spark_session(app_name, input_bytes=input_bytes())
    else:
        spark = GlueContext(SparkContext.getOrCreate()).spark_session
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    # Small driver-side frames (the plan catalogs) go to the JVM as Arrow, without Python workers.
    spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
    # A Job A task writes one run id and a few ingest dates: with a file open per partition it
    # writes rows as they come, where a planned write first sorts every row by the partition
    # columns (a task with more partitions than writers falls back to that sort).
    spark.conf.set("spark.sql.optimizer.plannedWrite.enabled", "false")
    spark.conf.set("spark.sql.maxConcurrentOutputFileWriters", "4")
    return spark


def run_in_glue_job(spark, script: str, argv: list[str] | None, work: Callable[[], dict]) -> dict:
    """`work()`, in AWS Glue between `Job.init` and `Job.commit`: the job's run bookkeeping
    (and the security configuration's bookmark encryption) apply only to an initialised job.
    A failed `work` raises before the commit, so Glue records the run as failed. Locally
    (no `awsglue`) just `work()`."""
    try:
        from awsglue.context import GlueContext
        from awsglue.job import Job
        from awsglue.utils import getResolvedOptions
    except ImportError:
        return work()
    args = getResolvedOptions([script, *(sys.argv[1:] if argv is None else argv)], ["JOB_NAME"])
    job = Job(GlueContext(spark.sparkContext))
    job.init(args["JOB_NAME"], args)
    result = work()
    job.commit()
    return result


def check_run_id(run_id: str | None) -> str:
    """A given run id, or a new UTC timestamp one. It names Parquet partitions and manifests."""
    if run_id is None:
        return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    if not RUN_ID_PATTERN.fullmatch(run_id):
        raise JobInputError(
            f"run id {run_id!r} is not usable as a partition value: use 1-128 letters, digits, '_' or '-'"
        )
    return run_id


def check_date(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise JobInputError(f"--{name} {value!r} is not a YYYY-MM-DD date") from None
