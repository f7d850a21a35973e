"""The local SparkSession that stands in for Glue 5.0 (Spark 3.5) on one machine."""
from __future__ import annotations

import os


def local_spark_session(app_name: str = "telco360", cores: str | None = None):
    """One local SparkSession configured like a Glue job: UTC, few shuffle partitions."""
    from pyspark.sql import SparkSession

    master = f"local[{cores or os.environ.get('C360_SPARK_CORES', '2')}]"
    return (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", os.environ.get("C360_SHUFFLE_PARTITIONS", "4"))
        .config("spark.driver.memory", os.environ.get("C360_DRIVER_MEMORY", "2g"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        # Job A's cached frame is read twice, then dropped: compressing it cost more CPU than it saved.
        .config("spark.sql.inMemoryColumnarStorage.compressed", "false")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )
