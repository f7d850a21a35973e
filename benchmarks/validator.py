"""Validator throughput and memory on a large NDJSON file.

Writes an activity_logs NDJSON file of --size-mb MB (default 600) in a temp folder, then, each
in its own child process so neither the generation nor the other run pollutes the figures:

  validator   telco360.validator.checks.validate_stream      (the Lambda/local check, file opened rb)
  bare loop   for line in f: json.loads(line)          (text mode, stdlib json)
  reference   for line in f: decoder.decode(line)      (msgspec, a typed Struct of the activity
                                                        fields, file opened rb: the best parser's floor)

and prints MB/s of each, the validator's ratio to both, and its peak RSS (ru_maxrss of its
child). Targets (issue 25): validator >= 5x the bare loop and (aim) >= 0.9x the reference;
peak RSS <= 150 MB whatever the size. --rounds N runs the three N times, interleaved, and keeps
each one's best time (the machine is shared: a round's figures drift together).

Then the same file gzipped (level 6, as `gzip` does), validated as a `.ndjson.gz` beside the
reference reading it through `gzip.open`: MB/s of compressed input, and from both speeds the
largest file the validator Lambda checks in time for each memory setting (Lambda gives one full
vCPU at 1,769 MB and a share below it; the check uses one core; LAMBDA_BUDGET of the timeout is
left for the copy and the rest).

    .venv/bin/python benchmarks/validator.py [--size-mb 600] [--rounds 1] [--dir /tmp] [--timeout 900]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Each child prints its own figures; ru_maxrss is its peak resident memory (KB on Linux).
RESULT = """
import resource
print(json.dumps({"seconds": time.perf_counter() - start, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  **result}))
"""

BARE_LOOP = """
import json, sys, time
start = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        json.loads(line)
result = {}
""" + RESULT

VALIDATOR = """
import json, sys, time
from telco360.validator.checks import validate_stream
start = time.perf_counter()
with open(sys.argv[1], "rb", buffering=0) as f:
    verdict = validate_stream("activity_logs", False, f)
result = {"accepted": verdict.accepted, "records": verdict.records, "detail": verdict.detail}
""" + RESULT

VALIDATOR_GZIP = VALIDATOR.replace('validate_stream("activity_logs", False, f)', 'validate_stream("activity_logs", True, f)')

REFERENCE = """
import json, sys, time
from typing import Optional
import msgspec

class Activity(msgspec.Struct):
    event_id: str
    customer_id: str
    event_type: str
    event_ts: str
    duration_sec: Optional[int] = None
    data_mb: Optional[float] = None
    cell_id: Optional[str] = None
    roaming: Optional[bool] = None

decode = msgspec.json.Decoder(Activity).decode
start = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    for line in f:
        decode(line)
result = {}
""" + RESULT

REFERENCE_GZIP = REFERENCE.replace('with open(sys.argv[1], "rb") as f:', 'import gzip\nwith gzip.open(sys.argv[1], "rb") as f:')
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


def run_child(code: str, path: Path) -> dict:
    """The child's JSON result: seconds, peak RSS in MB, and what the code adds."""
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def best_of(codes: dict[str, str], path: Path, rounds: int) -> dict[str, dict]:
    """Each code's fastest run over `rounds` rounds, the codes interleaved within a round."""
    best: dict[str, dict] = {}
    for _ in range(rounds):
        for name, code in codes.items():
            result = run_child(code, path)
            if name not in best or result["seconds"] < best[name]["seconds"]:
                best[name] = result
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each measurement; the best counts")
    parser.add_argument("--dir", default=None, help="where to write the file (default: system temp)")
    parser.add_argument("--timeout", type=int, default=900, help="Lambda timeout the table assumes (s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "activity_logs_20240115_bench.ndjson"
        start = time.perf_counter()
        lines = write_activity_file(path, args.size_mb * 1_000_000)
        size_mb = path.stat().st_size / 1_000_000
        print(f"file: {size_mb:,.0f} MB, {lines:,} lines, written in {time.perf_counter() - start:.1f} s")
        plain = best_of({"validator": VALIDATOR, "bare": BARE_LOOP, "reference": REFERENCE}, path, args.rounds)
        validator, bare, reference = plain["validator"], plain["bare"], plain["reference"]
        gzipped = path.with_name(path.name + ".gz")
        with open(path, "rb") as source, gzip.open(gzipped, "wb", compresslevel=6) as packed:
            while chunk := source.read(8 << 20):
                packed.write(chunk)
        gz_mb = gzipped.stat().st_size / 1_000_000
        packed_runs = best_of({"validator": VALIDATOR_GZIP, "reference": REFERENCE_GZIP}, gzipped, args.rounds)
        validator_gz, reference_gz = packed_runs["validator"], packed_runs["reference"]
    if not (validator["accepted"] and validator_gz["accepted"]):
        print(f"validator rejected the benchmark file: {validator['detail'] or validator_gz['detail']}")
        return 1
    validator_speed = size_mb / validator["seconds"]
    bare_speed = size_mb / bare["seconds"]
    reference_speed = size_mb / reference["seconds"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"best of {args.rounds} round(s) (shared with other work: compare figures of the same run)")
    print(f"bare loop  (json.loads per line): {bare_speed:8.1f} MB/s  ({bare['seconds']:.1f} s)")
    print(f"reference  (msgspec typed/line) : {reference_speed:8.1f} MB/s  ({reference['seconds']:.1f} s)")
    print(f"validator  (validate_stream)    : {validator_speed:8.1f} MB/s  ({validator['seconds']:.1f} s, "
          f"{validator['records']:,} records)")
    print(f"validator / bare loop           : {validator_speed / bare_speed:8.2f} x   (target >= 5.0)")
    print(f"validator / reference           : {validator_speed / reference_speed:8.2f} x   (aim >= 0.9)")
    print(f"validator peak RSS              : {validator['rss_mb']:8.1f} MB  (target <= 150)")
    gz_speed = gz_mb / validator_gz["seconds"]
    reference_gz_speed = gz_mb / reference_gz["seconds"]
    print(f"validator on .gz ({gz_mb:,.0f} MB, {size_mb / gz_mb:.1f}x): {gz_speed:8.1f} MB/s of compressed input "
          f"({validator_gz['seconds']:.1f} s, {size_mb / validator_gz['seconds']:.1f} MB/s uncompressed), "
          f"peak RSS {validator_gz['rss_mb']:.1f} MB")
    print(f"reference on .gz (gzip.open)    : {reference_gz_speed:8.1f} MB/s of compressed input "
          f"({reference_gz['seconds']:.1f} s); validator / reference on .gz: {gz_speed / reference_gz_speed:.2f} x")
    print(f"largest file checked in a {args.timeout} s Lambda ({LAMBDA_BUDGET:.0%} of it, one core's share):")
    for memory in LAMBDA_MEMORY_MB:
        print(f"  {memory:5d} MB: {largest_file_mb(validator_speed, memory, args.timeout) / 1000:6.1f} GB plain, "
              f"{largest_file_mb(gz_speed, memory, args.timeout) / 1000:6.1f} GB .gz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
