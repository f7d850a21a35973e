"""The lake as keys: a local folder and an S3 bucket behind one small interface.

Spark reads and writes data files through its own file systems (`spark_path`); the jobs'
bookmarks, manifests, the plan catalogs and partition clean-up go through this helper, which
uses boto3 in Glue and the file system locally. Keys are the lake-relative keys of
`telco360.lake` (`archive/customers/ingest_date=.../customers_20240115.ndjson`).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol


class LakeStorage(Protocol):
    uri: str

    def spark_path(self, key: str) -> str: ...

    def list_keys(self, prefix: str) -> list[str]: ...

    def key_sizes(self, prefix: str) -> dict[str, int]: ...

    def read_bytes(self, key: str) -> bytes: ...

    def write_bytes(self, key: str, data: bytes) -> None: ...

    def delete_prefix(self, prefix: str) -> int: ...


class LocalLakeStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.uri = str(self.root)

    def spark_path(self, key: str) -> str:
        return str(self.root / key)

    def list_keys(self, prefix: str) -> list[str]:
        return sorted(self.key_sizes(prefix))

    def key_sizes(self, prefix: str) -> dict[str, int]:
        """{key: size in bytes} of every file under the prefix."""
        base = self.root / prefix
        if base.is_file():
            return {prefix: base.stat().st_size}
        if not base.is_dir():
            return {}
        return {p.relative_to(self.root).as_posix(): p.stat().st_size for p in base.rglob("*") if p.is_file()}

    def read_bytes(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def write_bytes(self, key: str, data: bytes) -> None:
        """Atomic: a reader sees the old bytes or the new ones, never a torn file."""
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete_prefix(self, prefix: str) -> int:
        target = self.root / prefix
        if target.is_file():
            target.unlink()
            return 1
        if not target.is_dir():
            return 0
        count = sum(1 for p in target.rglob("*") if p.is_file())
        shutil.rmtree(target)
        return count


class S3LakeStorage:
    """`s3://bucket[/prefix]`. In Glue, Spark's `s3://` file system reads the same keys."""

    def __init__(self, uri: str, client=None):
        without_scheme = uri[len("s3://"):].strip("/")
        self.bucket, _, prefix = without_scheme.partition("/")
        self.prefix = f"{prefix}/" if prefix else ""
        self.uri = uri.rstrip("/")
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.client = client

    def spark_path(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def list_keys(self, prefix: str) -> list[str]:
        return sorted(self.key_sizes(prefix))

    def key_sizes(self, prefix: str) -> dict[str, int]:
        sizes: dict[str, int] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            sizes.update({item["Key"][len(self.prefix):]: item["Size"] for item in page.get("Contents", [])})
        return sizes

    def read_bytes(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()

    def write_bytes(self, key: str, data: bytes) -> None:
        # A single PUT is atomic in S3: readers see the old object or the new one.
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def delete_prefix(self, prefix: str) -> int:
        keys = self.list_keys(prefix)
        for start in range(0, len(keys), 1000):
            batch = [{"Key": self.prefix + key} for key in keys[start:start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        return len(keys)


def open_lake_storage(lake_uri: str, s3_client=None) -> LakeStorage:
    if lake_uri.startswith("s3://"):
        return S3LakeStorage(lake_uri, s3_client)
    return LocalLakeStorage(lake_uri)


class DamagedStateError(ValueError):
    """A job's JSON state file (bookmark, manifest) does not parse; the message names it."""


def read_json(storage: LakeStorage, key: str, default: Any = None) -> Any:
    if key not in storage.list_keys(key):
        return default
    try:
        return json.loads(storage.read_bytes(key))
    except ValueError as error:
        raise DamagedStateError(
            f"{storage.uri}/{key} is damaged (not JSON: {error}); the job does not run without it: "
            f"restore it from a backup (in S3, its previous object version)"
        ) from None


def write_json(storage: LakeStorage, key: str, value: Any) -> None:
    storage.write_bytes(key, json.dumps(value, indent=2, sort_keys=True, default=str).encode())
