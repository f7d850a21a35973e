"""Validator throughput and memory on a large NDJSON file.

Writes an activity_logs NDJSON file of --size-mb MB (default 600) in a temp folder, then, each
in its own child process so neither the generation nor the other run pollutes the figures:

  bare loop   for line in f: json.loads(line)          (text mode, stdlib json)
  validator   telco360.validator.checks.validate_stream      (the Lambda/local check, file opened rb)

and prints MB/s of both, their ratio, and the validator's peak RSS (ru_maxrss of the child).
Targets (issue 2): validator >= 1.0x the bare loop; peak RSS <= 150 MB whatever the size.

Then the same file gzipped (level 6, as `gzip` does), validated as a `.ndjson.gz`: MB/s of
compressed input, and from both speeds the largest file the validator Lambda checks in time for
each memory setting (Lambda gives one full vCPU at 1,769 MB and a share below it; the check uses
one core; LAMBDA_BUDGET of the timeout is left for the copy and the rest).

    .venv/bin/python benchmarks/validator.py [--size-mb 600] [--dir /tmp] [--timeout 900]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_LOOP = """
import json, sys, time
start = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        json.loads(line)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

VALIDATOR = """
import json, sys, time
from telco360.validator.checks import validate_stream
start = time.perf_counter()
with open(sys.argv[1], "rb", buffering=0) as f:
    verdict = validate_stream("activity_logs", False, f)
print(json.dumps({"seconds": time.perf_counter() - start, "accepted": verdict.accepted,
                  "records": verdict.records, "detail": verdict.detail}))
"""

VALIDATOR_GZIP = VALIDATOR.replace('validate_stream("activity_logs", False, f)', 'validate_stream("activity_logs", True, f)')
# Lambda's CPU share grows with memory: one full vCPU at 1,769 MB (AWS Lambda developer guide).
FULL_VCPU_MB = 1769
LAMBDA_MEMORY_MB = (512, 1024, FULL_VCPU_MB, 3008)
# Share of the timeout the check may use: the rest is the copy, its verification and the alert.
LAMBDA_BUDGET = 0.8


def largest_file_mb(speed_mb_s: float, memory_mb: int, timeout_s: int) -> float:
    """Largest input (in the MB `speed_mb_s` counts) checked within the budget at one core's share."""
    return speed_mb_s * min(1.0, memory_mb / FULL_VCPU_MB) * timeout_s * LAMBDA_BUDGET


def write_activity_file(path: Path, size_bytes: int) -> int:
    """Realistic activity lines (ids, types, offsets vary); returns the line count."""
    types = ("DATA", "VOICE", "SMS", "data", "voice")
    lines = 0
    with open(path, "wb", buffering=8 << 20) as out:
        written = 0
        while written < size_bytes:
            block = []
            for i in range(lines, lines + 10_000):
                kind = types[i % 5]
                amount = f'"data_mb":{(i % 9973) / 7:.3f}' if kind.upper() == "DATA" else f'"duration_sec":{i % 3600}'
                block.append(
                    f'{{"event_id":"EV{i:012d}","customer_id":"C{i % 9_999_999:07d}","event_type":"{kind}",'
                    f'"event_ts":"2024-01-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}+0{i % 3}:00",'
                    f'{amount},"cell_id":"CELL-{i % 5000:05d}","roaming":{"true" if i % 17 == 0 else "false"}}}\n'
                )
            data = "".join(block).encode()
            out.write(data)
            written += len(data)
            lines += 10_000
    return lines


def run_child(code: str, path: Path) -> tuple[dict, float]:
    """(the child's JSON result, the largest peak RSS of any child so far, in MB).

    RUSAGE_CHILDREN keeps the maximum over finished children, so the validator runs first
    to read its own figure.
    """
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=600)
    parser.add_argument("--dir", default=None, help="where to write the file (default: system temp)")
    parser.add_argument("--timeout", type=int, default=900, help="Lambda timeout the table assumes (s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "activity_logs_20240115_bench.ndjson"
        start = time.perf_counter()
        lines = write_activity_file(path, args.size_mb * 1_000_000)
        size_mb = path.stat().st_size / 1_000_000
        print(f"file: {size_mb:,.0f} MB, {lines:,} lines, written in {time.perf_counter() - start:.1f} s")
        validator, validator_rss = run_child(VALIDATOR, path)
        bare, _ = run_child(BARE_LOOP, path)
        gzipped = path.with_name(path.name + ".gz")
        with open(path, "rb") as plain, gzip.open(gzipped, "wb", compresslevel=6) as packed:
            while chunk := plain.read(8 << 20):
                packed.write(chunk)
        gz_mb = gzipped.stat().st_size / 1_000_000
        validator_gz, _ = run_child(VALIDATOR_GZIP, gzipped)
    if not (validator["accepted"] and validator_gz["accepted"]):
        print(f"validator rejected the benchmark file: {validator['detail'] or validator_gz['detail']}")
        return 1
    validator_speed = size_mb / validator["seconds"]
    bare_speed = size_mb / bare["seconds"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} "
          "(shared with other work: figures are indicative)")
    print(f"bare loop  (json.loads per line): {bare_speed:8.1f} MB/s  ({bare['seconds']:.1f} s)")
    print(f"validator  (validate_stream)    : {validator_speed:8.1f} MB/s  ({validator['seconds']:.1f} s, "
          f"{validator['records']:,} records)")
    print(f"validator / bare loop           : {validator_speed / bare_speed:8.2f} x   (target >= 1.0)")
    print(f"validator peak RSS              : {validator_rss:8.1f} MB  (target <= 150)")
    gz_speed = gz_mb / validator_gz["seconds"]
    print(f"validator on .gz ({gz_mb:,.0f} MB, {size_mb / gz_mb:.1f}x): {gz_speed:8.1f} MB/s of compressed input "
          f"({validator_gz['seconds']:.1f} s, {size_mb / validator_gz['seconds']:.1f} MB/s uncompressed)")
    print(f"largest file checked in a {args.timeout} s Lambda ({LAMBDA_BUDGET:.0%} of it, one core's share):")
    for memory in LAMBDA_MEMORY_MB:
        print(f"  {memory:5d} MB: {largest_file_mb(validator_speed, memory, args.timeout) / 1000:6.1f} GB plain, "
              f"{largest_file_mb(gz_speed, memory, args.timeout) / 1000:6.1f} GB .gz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
