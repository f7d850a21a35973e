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


def archive_key(dataset: str, ingest_date: dt.date | str, name: str) -> str:
    return f"{contract.ARCHIVE}/{dataset}/ingest_date={_iso(ingest_date)}/{name}"


def rejected_key(dataset: str, ingest_date: dt.date | str, name: str) -> str:
    """Rejected files keep their dataset folder; keys outside any dataset go to `_unknown`."""
    return f"{contract.REJECTED}/{dataset or '_unknown'}/ingest_date={_iso(ingest_date)}/{name}"


def validator_temp_key() -> str:
    """A fresh temp file for one local copy; renamed into its zone once complete."""
    return f"{VALIDATOR_TEMP}/{uuid.uuid4().hex}.partial"


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
