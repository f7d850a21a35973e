"""The local SparkSession that stands in for Glue 5.0 (Spark 3.5) on one machine."""
from __future__ import annotations

import os
from pathlib import Path


# A local run is a short-lived JVM on few cores, where compiling hot code costs more than it
# saves: C1 only (no C2 tier) halved Job A's JVM CPU time at 100k events. Spark's generated
# stage methods exceed HotSpot's 8000-byte limit for compiling, so without
# -DontCompileHugeMethods they stay interpreted (Job A at 1M events +45%). Parallel GC: no
# concurrent G1 threads competing for the two cores. Measured in docs/glue.md. C1 alone gets
# a 48 MiB code cache, which the demo's one JVM filled on its seventh day: HotSpot then stops
# compiling for good, so a longer backfill would run interpreted. 240 MiB is tiered's default.
SMALL_INPUT_JIT_OPTIONS = (
    "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m -XX:-DontCompileHugeMethods -XX:+UseParallelGC"
)
# From about 128 MiB of text (~700k events a day) C2's code repays its compiles: JSON parsing
# runs ~5x faster than in C1 code. Tier-4 thresholds at 30x the defaults keep C2 to the code
# that runs all job long (at 10x it compiled more and was slower; at 100x the hot loops stayed
# in C1's profiling code). Measured in docs/glue.md.
LARGE_INPUT_JIT_OPTIONS = (
    "-XX:-DontCompileHugeMethods -XX:+UseParallelGC -XX:Tier4InvocationThreshold=150000 "
    "-XX:Tier4MinInvocationThreshold=18000 -XX:Tier4CompileThreshold=450000 -XX:Tier4BackEdgeThreshold=1200000"
)
LARGE_INPUT_BYTES = 128 * 2**20
# A job's work follows the text it parses or the rows it reads: gzip'd NDJSON and Parquet hold
# about 6-7x their stored size (1M generated events: 166 MB of NDJSON, 25 MB gzip'd, 23 MB clean Parquet).
COMPRESSED_SIZE_RATIO = 6


def text_bytes(key_sizes: dict[str, int]) -> int:
    """The stored sizes of a job's input files as bytes of text (what `jit_options` takes)."""
    compressed = (".gz", ".parquet")
    return sum(size * (COMPRESSED_SIZE_RATIO if key.endswith(compressed) else 1) for key, size in key_sizes.items())


def jit_options(input_bytes: int) -> str:
    """JIT flags of a local driver JVM started for a job reading `input_bytes` (see `text_bytes`);
    `C360_SPARK_JAVA_OPTIONS` replaces them."""
    override = os.environ.get("C360_SPARK_JAVA_OPTIONS")
    if override is not None:
        return override
    return LARGE_INPUT_JIT_OPTIONS if input_bytes >= LARGE_INPUT_BYTES else SMALL_INPUT_JIT_OPTIONS


LOG4J2_CONFIG = Path(__file__).with_name("log4j2-local.properties")


def local_spark_session(app_name: str = "telco360", cores: str | None = None, input_bytes: int = 0):
    """One local SparkSession configured like a Glue job: UTC, few shuffle partitions. JVM
    flags apply when this starts the JVM; a session already running is returned as it is."""
    from pyspark.sql import SparkSession

    # A local master needs no other address; unset, Spark warns at every start that the
    # host name resolves to a loopback address.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
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
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config(
            "spark.driver.extraJavaOptions",
            f"-Duser.timezone=UTC -Dlog4j2.configurationFile={LOG4J2_CONFIG.as_uri()} {jit_options(input_bytes)}",
        )
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )
