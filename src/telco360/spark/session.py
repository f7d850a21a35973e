"""The local SparkSession that stands in for Glue 5.0 (Spark 3.5) on one machine."""
from __future__ import annotations

import os


# A local run is a short-lived JVM on few cores, where compiling hot code costs more than it
# saves: C1 only (no C2 tier) halved Job A's JVM CPU time at 100k events. Spark's generated
# stage methods exceed HotSpot's 8000-byte limit for compiling, so without
# -DontCompileHugeMethods they stay interpreted (Job A at 1M events +45%). Parallel GC: no
# concurrent G1 threads competing for the two cores. Measured in docs/glue.md.
LOCAL_JIT_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:-DontCompileHugeMethods -XX:+UseParallelGC"


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
        .config("spark.driver.extraJavaOptions", f"-Duser.timezone=UTC {os.environ.get('C360_SPARK_JAVA_OPTIONS', LOCAL_JIT_OPTIONS)}")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )
