"""Lake layout: the same relative keys in S3 and in a local lake folder.

Standard library only (shipped to Lambda, Glue and Snowflake).
"""
from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

from telco360 import contract

# Every name the pipeline gives a folder or sidecar of its own in the lake, beside the zones
# (`contract.RAW` ... `contract.STAGING`); nothing else spells them.
REASONS = "_reasons"  # rejected/_reasons/<dataset>/ingest_date=D/<name>.json: why a file was rejected
UNKNOWN_DATASET = "_unknown"  # rejected/_unknown/...: keys outside any dataset folder
MANIFESTS = "_manifests"  # clean/_manifests/<run>.json, staging/_manifests/<run>.json: per-run counts
LATEST_MANIFEST = "_manifest.json"  # staging/_manifest.json: the staging run to load next
RUNS = "_runs"  # _runs/<run_id>.json: what each local run did (local lake only)
WAREHOUSE = "_warehouse"  # _warehouse/<SCHEMA>/<TABLE>.parquet: the local warehouse's tables
PREVIOUS_WAREHOUSE = "_warehouse.previous"  # the tables before the last save


def manifest_key(zone: str, run_id: str) -> str:
    return f"{zone}/{MANIFESTS}/{run_id}.json"


def latest_manifest_key() -> str:
    return f"{contract.STAGING}/{LATEST_MANIFEST}"


def archive_key(dataset: str, ingest_date: dt.date | str, name: str) -> str:
    return f"{contract.ARCHIVE}/{dataset}/ingest_date={_iso(ingest_date)}/{name}"


def rejected_key(dataset: str, ingest_date: dt.date | str, name: str) -> str:
    """Rejected files keep their dataset folder; keys outside any dataset go to `_unknown`."""
    return f"{contract.REJECTED}/{dataset or UNKNOWN_DATASET}/ingest_date={_iso(ingest_date)}/{name}"


def split_raw_key(key: str) -> tuple[str, str]:
    """`raw/<dataset>/<name>` -> (dataset, name); dataset is '' when the key has no folder."""
    parts = PurePosixPath(key).parts
    if len(parts) >= 2 and parts[0] == contract.RAW:
        parts = parts[1:]
    if len(parts) == 1:
        return "", parts[0]
    return "/".join(parts[:-1]), parts[-1]


def _iso(value: dt.date | str) -> str:
    return value.isoformat() if isinstance(value, dt.date) else value
