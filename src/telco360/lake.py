"""Lake layout: the same relative keys in S3 and in a local lake folder.

Standard library only (shipped to Lambda, Glue and Snowflake).
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import PurePosixPath

from telco360 import contract

# Every name the pipeline gives a folder or sidecar of its own in the lake, beside the zones
# (`contract.RAW` ... `contract.STAGING`); nothing else spells them.
REASONS = "_reasons"  # rejected/_reasons/<dataset>/ingest_date=D/<name>.json: why a file was rejected
UNKNOWN_DATASET = "_unknown"  # rejected/_unknown/...: keys outside any dataset folder
MANIFESTS = "_manifests"  # clean/_manifests/<run>.json, staging/_manifests/<run>.json: per-run counts
LATEST_MANIFEST = "_manifest.json"  # staging/_manifest.json: the staging run to load next
RUN_DATE_MANIFESTS = "by_run_date"  # staging/_manifests/by_run_date/<D>.json: the staging run made for RUN_DATE D
BOOKMARKS = "_bookmarks"  # clean/_bookmarks/, staging/_bookmarks/: what each job has done
RUNS = "_runs"  # _runs/<run_id>.json: what each local run did (local lake only)
WAREHOUSE = "_warehouse"  # _warehouse/<SCHEMA>/<TABLE>.parquet: the local warehouse's tables
PREVIOUS_WAREHOUSE = "_warehouse.previous"  # the tables before the last save

# Scratch space of the local writers, beside the zones and inside none of them: no delivered
# key (raw/<dataset>/<name> -> archive/ or rejected/) can ever name a file here, and the
# next run holding the lake's lock empties it.
LOCAL_TEMP = "_tmp"
VALIDATOR_TEMP = f"{LOCAL_TEMP}/validator"

# Job A's and Job B's commit records and manifests (Job B's are the formal contract with the
# warehouse load).
CLEAN_BOOKMARK_KEY = f"{contract.CLEAN}/{BOOKMARKS}/clean_job.json"
CLEAN_MANIFESTS = f"{contract.CLEAN}/{MANIFESTS}"
STAGING_BOOKMARK_KEY = f"{contract.STAGING}/{BOOKMARKS}/staging_job.json"
STAGING_LATEST_MANIFEST_KEY = f"{contract.STAGING}/{LATEST_MANIFEST}"
STAGING_MANIFESTS = f"{contract.STAGING}/{MANIFESTS}"

# The local warehouse's save: a scratch folder renamed into place, with one SHA-256 per file.
WAREHOUSE_SCRATCH_PREFIX = f"{WAREHOUSE}.tmp-"
WAREHOUSE_CHECKSUMS = "_checksums.json"

# What a run killed mid-write leaves behind, by writer (glob patterns under the lake root).
# Only these, and only by the next run holding the lake's lock: nothing else is ever deleted.
DEAD_RUN_LEFTOVERS = (
    LOCAL_TEMP,                                                         # validator copies
    f"{WAREHOUSE_SCRATCH_PREFIX}*",                                     # warehouse save
    f"{contract.CLEAN}/*/.spark-staging-*",                             # Job A partition overwrite
    f"{contract.CLEAN}/{contract.QUARANTINE}/*/.spark-staging-*",
    f"{contract.STAGING}/*/run_id=*/_temporary",                        # Job B output committer
    f"{contract.CLEAN}/{BOOKMARKS}/.*.tmp",                             # job JSON (LocalLakeStorage)
    f"{contract.CLEAN}/{MANIFESTS}/.*.tmp",
    f"{contract.STAGING}/{BOOKMARKS}/.*.tmp",
    f"{contract.STAGING}/{MANIFESTS}/.*.tmp",
    f"{contract.STAGING}/{MANIFESTS}/{RUN_DATE_MANIFESTS}/.*.tmp",
    f"{contract.STAGING}/.*.tmp",
)


def manifest_key(zone: str, run_id: str) -> str:
    return f"{zone}/{MANIFESTS}/{run_id}.json"


def archive_key(dataset: str, ingest_date: dt.date | str, name: str) -> str:
    return f"{contract.ARCHIVE}/{dataset}/ingest_date={_iso(ingest_date)}/{name}"


def rejected_key(dataset: str, ingest_date: dt.date | str, name: str) -> str:
    """Rejected files keep their dataset folder; keys outside any dataset go to `_unknown`."""
    return f"{contract.REJECTED}/{dataset or UNKNOWN_DATASET}/ingest_date={_iso(ingest_date)}/{name}"


def validator_temp_key() -> str:
    """A fresh temp file for one local copy; renamed into its zone once complete."""
    return f"{VALIDATOR_TEMP}/{uuid.uuid4().hex}.partial"


def staging_manifest_key(run_id: str) -> str:
    return manifest_key(contract.STAGING, run_id)


def run_date_manifest_name(run_date: str) -> str:
    """The manifest of the staging run made for `run_date`, relative to `staging/` (the stage's root)."""
    return f"{MANIFESTS}/{RUN_DATE_MANIFESTS}/{run_date}.json"


def staging_run_date(run_id: str, made_at: dt.datetime) -> str:
    """The RUN_DATE a staging run is made for (its manifest records it; the warehouse load of a
    RUN_DATE loads only that date's run): the date its run id begins with (`c360 run` names its
    runs `<run date>_<time>`; an AWS execution named so stages for that date), else the UTC
    date the run was made (the daily execution is named by a UUID and ends hours before
    Snowflake's root task of the same UTC day)."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?![0-9])", run_id)
    if match:
        try:
            return dt.date.fromisoformat(match.group(1)).isoformat()
        except ValueError:
            pass
    return made_at.astimezone(dt.timezone.utc).date().isoformat()


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
