"""The lake as a local folder laid out like the bucket: the `RawStore` adapter and
`validate_lake`, the local entry point the runner and `c360 validate` call.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, Iterator, Optional


from telco360 import contract, lake
from telco360.validator.checks import CHUNK_BYTES, Verdict, classify_raw_key
from telco360.validator.settle import (
    Routing,
    destination_key,
    log_outcome,
    redelivery_name,
    rejection_reason_key,
    rejection_record,
    settle_each,
    summarize,
)


# ---------------------------------------------------------------------------------------
# Local lake folder


class LocalRawStore:
    """The lake as a local folder laid out like the bucket."""

    def __init__(self, lake_dir: Path | str):
        self.root = Path(lake_dir)
        self.alerts: list[dict] = []

    def _path(self, key: str) -> Path:
        return self.root / key

    def describe(self, key: str) -> Optional[int]:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb", buffering=0)

    def same_content(self, raw_key: str, other_key: str) -> bool:
        raw, other = self._path(raw_key), self._path(other_key)
        if raw.stat().st_size != other.stat().st_size:
            return False
        with open(raw, "rb") as a, open(other, "rb") as b:
            while True:
                left, right = a.read(CHUNK_BYTES), b.read(CHUNK_BYTES)
                if left != right:
                    return False
                if not left:
                    return True

    def content_token(self, key: str) -> str:
        digest = hashlib.sha256()
        with open(self._path(key), "rb") as f:
            for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
                digest.update(chunk)
        return digest.hexdigest()[:12]

    def copy_verified(self, raw_key: str, destination: str, routing: Routing) -> None:
        source, target = self._path(raw_key), self._path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = self._temp_path()
        try:
            with open(source, "rb") as src, open(partial, "wb") as dst:
                for chunk in iter(lambda: src.read(CHUNK_BYTES), b""):
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            if partial.stat().st_size != source.stat().st_size:
                raise OSError(f"copy of {raw_key} to {destination} has the wrong size; raw file kept")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        _fsync_dir(target.parent)

    def write_json(self, key: str, payload: dict) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = self._temp_path()
        try:
            # backslashreplace: a local file name that is not UTF-8 is kept as a \udcXX escape.
            partial.write_bytes(json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace"))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    def _temp_path(self) -> Path:
        """Outside every zone, so a temp file never shares a folder (or a name) with a
        delivered file."""
        path = self._path(lake.validator_temp_key())
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def delete(self, key: str) -> None:
        self._path(key).unlink()

    def publish_alert(self, message: dict) -> None:
        self.alerts.append(message)

    def raw_keys(self) -> list[str]:
        """Regular files under raw/, links never followed (see `raw_links`)."""
        return sorted(key for key, is_link in self._raw_entries() if not is_link)

    def raw_links(self) -> list[str]:
        """Symbolic links under raw/, to files or folders, dangling or not."""
        return sorted(key for key, is_link in self._raw_entries() if is_link)

    def _raw_entries(self) -> Iterator[tuple[str, bool]]:
        raw = self.root / contract.RAW
        for folder, subfolders, files in os.walk(raw, followlinks=False):
            for name in subfolders + files:
                path = Path(folder) / name
                if path.is_symlink() or path.is_file():
                    yield path.relative_to(self.root).as_posix(), path.is_symlink()

    def move_link(self, key: str, destination: str) -> None:
        """Move the link itself (never what it points to) into its zone."""
        target = self._path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self._path(key), target)
        _fsync_dir(target.parent)

    def read_link(self, key: str) -> str:
        return os.readlink(self._path(key))

    def link_exists(self, key: str) -> bool:
        return os.path.lexists(self._path(key))


def reject_symlink(store: LocalRawStore, key: str, ingest_date: str) -> dict:
    """A link in a local raw/ is moved, unfollowed, to rejected/ with reason `symlink`: its
    target may lie outside the lake (S3 has no links, so this is local only). Safe to
    repeat: a crash before the move leaves the link in raw/ for the next run."""
    dataset, name, _, _ = classify_raw_key(key)
    pointed_to = store.read_link(key)
    verdict = Verdict("symlink", f"{key} is a symbolic link to {pointed_to}; links are never followed: "
                                 "deliver the file itself")
    routing = Routing(key, dataset, name, verdict, destination_key(dataset, name, verdict, ingest_date))
    if store.link_exists(routing.destination):
        token = hashlib.sha256(os.fsencode(pointed_to)).hexdigest()[:12]
        name = redelivery_name(name, token)
        routing = replace(routing, name=name, destination=destination_key(dataset, name, verdict, ingest_date))
    record = rejection_record(routing, len(os.fsencode(pointed_to)), ingest_date)
    store.write_json(rejection_reason_key(dataset, ingest_date, routing.name), record)
    store.move_link(key, routing.destination)
    store.publish_alert(record)
    return log_outcome({
        "outcome": "rejected", "key": key, "dataset": dataset, "destination": routing.destination,
        "reason": verdict.reason, "detail": verdict.detail, "records": 0, "size": record["size"],
        "ingest_date": ingest_date,
    })


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def validate_lake(lake_dir: Path | str, ingest_date: Optional[str | dt.date] = None) -> dict:
    """Validate and route every file under `<lake_dir>/raw/`; the local runner's entry point.

    `ingest_date` (YYYY-MM-DD or a date) defaults to today in UTC. Returns a JSON-able summary.
    """
    if ingest_date is None:
        ingest_date = dt.datetime.now(dt.timezone.utc).date()
    try:
        ingest_date = dt.date.fromisoformat(str(ingest_date)).isoformat()
    except ValueError:
        raise ValueError(f"validate: ingest date {ingest_date!r} is not a date YYYY-MM-DD") from None
    store = LocalRawStore(lake_dir)
    outcomes = settle_each(store, store.raw_links(), lambda _key: ingest_date, settle=reject_symlink)
    outcomes += settle_each(store, store.raw_keys(), lambda _key: ingest_date)
    return summarize(outcomes, lake=str(lake_dir), ingest_date=ingest_date)
