"""Lake layout: the same relative keys in S3 and in a local lake folder.

Standard library only (shipped to Lambda, Glue and Snowflake).
"""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePosixPath

from telco360 import contract

# Scratch space of the local writers, beside the zones and inside none of them: no delivered
# key (raw/<dataset>/<name> -> archive/ or rejected/) can ever name a file here, and the
# next run holding the lake's lock empties it.
LOCAL_TEMP = "_tmp"
VALIDATOR_TEMP = f"{LOCAL_TEMP}/validator"

# Job B's commit record and manifests (the formal contract with the warehouse load).
STAGING_BOOKMARK_KEY = f"{contract.STAGING}/_bookmarks/staging_job.json"
STAGING_LATEST_MANIFEST_KEY = f"{contract.STAGING}/_manifest.json"
STAGING_MANIFESTS = f"{contract.STAGING}/_manifests"

# The local warehouse's save: a scratch folder renamed into place, with one SHA-256 per file.
WAREHOUSE_SCRATCH_PREFIX = "_warehouse.tmp-"
WAREHOUSE_CHECKSUMS = "_checksums.json"

# What a run killed mid-write leaves behind, by writer (glob patterns under the lake root).
# Only these, and only by the next run holding the lake's lock: nothing else is ever deleted.
DEAD_RUN_LEFTOVERS = (
    LOCAL_TEMP,                                                         # validator copies
    f"{WAREHOUSE_SCRATCH_PREFIX}*",                                     # warehouse save
    f"{contract.CLEAN}/*/.spark-staging-*",                             # Job A partition overwrite
    f"{contract.CLEAN}/{contract.QUARANTINE}/*/.spark-staging-*",
    f"{contract.STAGING}/*/run_id=*/_temporary",                        # Job B output committer
    f"{contract.CLEAN}/_bookmarks/.*.tmp",                              # job JSON (LocalLakeStorage)
    f"{contract.CLEAN}/_manifests/.*.tmp",
    f"{contract.STAGING}/_bookmarks/.*.tmp",
    f"{contract.STAGING}/_manifests/.*.tmp",
    f"{contract.STAGING}/.*.tmp",
)


def archive_key(dataset: str, ingest_date: dt.date | str, name: str) -> str:
    return f"{contract.ARCHIVE}/{dataset}/ingest_date={_iso(ingest_date)}/{name}"


def rejected_key(dataset: str, ingest_date: dt.date | str, name: str) -> str:
    """Rejected files keep their dataset folder; keys outside any dataset go to `_unknown`."""
    return f"{contract.REJECTED}/{dataset or '_unknown'}/ingest_date={_iso(ingest_date)}/{name}"


def validator_temp_key() -> str:
    """A fresh temp file for one local copy; renamed into its zone once complete."""
    return f"{VALIDATOR_TEMP}/{uuid.uuid4().hex}.partial"


def staging_manifest_key(run_id: str) -> str:
    return f"{STAGING_MANIFESTS}/{run_id}.json"


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
