"""The local side of every warehouse seam (`telco360.warehouse.seams`), for Snowpark local
testing: staging read with pyarrow, table writes as rewrites, no-op transactions, and an
engine that caches shared results and computes aggregates and hot joins in pandas."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from snowflake.snowpark import Column, DataFrame, Session
from snowflake.snowpark.mock._snowflake_data_type import ColumnType
from snowflake.snowpark.types import LongType

from telco360.warehouse.columns import null_safe_equal, without_matches
from telco360.warehouse.local.arrow import _computed as computed_rows
from telco360.warehouse.local.arrow import _result_table as result_table
from telco360.warehouse.local.arrow import (
    aggregate_locally,
    join_locally,
    latest_locally,
    read_parquet_files,
    write_arrow_table,
)
from telco360.warehouse.local.compat import register_deferred_view
from telco360.warehouse.seams import Backend, StagingError, WriteResult, file_names, register_backend, select_manifest
from telco360.warehouse.tables import column_list, qualified_name


class LocalEngine:
    """Local testing: shared results cached, aggregates computed by pandas."""

    def materialize(self, df: DataFrame) -> DataFrame:
        return df.cache_result()

    def aggregate(self, df, keys, aggregations) -> DataFrame:
        return aggregate_locally(df, list(keys), aggregations)

    def distinct(self, df: DataFrame, columns: Sequence[str]) -> DataFrame:
        return aggregate_locally(df, list(columns), {})

    def join(self, left: DataFrame, right: DataFrame, keys: Sequence[str], how: str = "inner") -> DataFrame:
        return join_locally(left, right, list(keys), how)

    def latest_per_key(self, df: DataFrame, keys: Sequence[str], order: Sequence[str]) -> DataFrame:
        return latest_locally(df, list(keys), list(order))

    def create_view(self, session: Session, name: str, build: Callable[[], DataFrame]) -> None:
        register_deferred_view(session, name, build)

    def window(self, df, keys, order, columns) -> DataFrame:
        return window_locally(df, list(keys), list(order), columns)

    def reuse(self, df: DataFrame) -> DataFrame:
        return df.cache_result()

    def equal_null(self, left: Column, right: Column, sql_type: str) -> Column:
        # Local testing has no EQUAL_NULL.
        return null_safe_equal(left, right, sql_type)

    def count_rows(self, counts: Mapping[str, tuple[DataFrame, Optional[Column]]]) -> dict[str, int]:
        # Frame by frame: a cross join of aggregates costs local testing more than the counts.
        return {
            name: int((frame if condition is None else frame.filter(condition)).count())
            for name, (frame, condition) in counts.items()
        }


def window_locally(df: DataFrame, keys: list[str], order: list[str], columns: dict[str, tuple[str, str]]) -> DataFrame:
    """`Engine.window` in one pandas sort: local testing evaluates a window one partition at a
    time. A NULL key is a partition of its own, as in PARTITION BY."""
    plain, types = computed_rows(df)
    out_types = dict(types)
    if len(plain):
        plain = plain.sort_values([*keys, *order], kind="stable").reset_index(drop=True)
    partitions = plain.groupby(keys, dropna=False, sort=False)
    for output, (function, column) in columns.items():
        if function == "row_number":
            plain[output] = partitions.cumcount() + 1 if len(plain) else []
            out_types[output] = ColumnType(LongType(), False)
        else:
            plain[output] = partitions[column].shift(1 if function == "previous" else -1) if len(plain) else []
            out_types[output] = ColumnType(types[column].datatype, True)
    return result_table(df.session, "WINDOW", plain, out_types)


class LocalStagingReader:
    """Reads the staging snapshot from `<lake>/staging` with pyarrow into the session."""

    def __init__(self, staging_dir: Optional[Path]):
        self.staging_dir = Path(staging_dir) if staging_dir is not None else None

    def read_manifest(self, session: Session, run_date: str) -> dict:
        """The manifest `select_manifest` picks for `run_date`, from the files Snowflake reads on the stage."""
        if self.staging_dir is None:
            raise StagingError(
                "staging load: this local session has no lake folder; open it with "
                "telco360.warehouse.local.session.open_local_warehouse(lake_dir)"
            )
        try:
            return select_manifest(run_date, self.read_json, str(self.staging_dir))
        except StagingError as exc:
            raise StagingError(f"{exc} (locally: c360 run --date {run_date}, or c360 glue staging --lake "
                               f"{self.staging_dir.parent} --run-id {run_date}_<name>)") from None

    def prepare(self, session: Session, run_date: str) -> None:
        """Nothing: the local load reads the lake's files directly."""

    def read_json(self, name: str) -> Optional[dict]:
        path = self.staging_dir / name
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise StagingError(f"staging load: {path} is not valid JSON ({exc}); rerun Job B") from exc

    def load_table(self, session: Session, table: str, entry: dict) -> int:
        folder = self.staging_dir / entry["path"]
        paths = [folder / name for name in file_names(entry)]
        absent = [str(p) for p in paths if not p.is_file()]
        if absent:
            raise StagingError(
                f"staging load: {table}: files named in the manifest are missing: "
                f"{', '.join(absent)}; rerun Job B"
            )
        try:
            data = read_parquet_files(paths, table)
        except ValueError as exc:
            raise StagingError(f"staging load: {table}: {exc}") from exc
        return write_arrow_table(session, table, data)


class LocalRewriteWriter(LocalEngine):
    """Rewrites the table: rows whose key is neither upserted nor deleted, plus the upserts.
    Joins on column names only (hash joins in local testing)."""

    def append(self, session: Session, table: str, rows: DataFrame) -> int:
        rows = rows.select(column_list(table)).cache_result()
        count = rows.count()
        if count:
            rows.write.save_as_table(qualified_name(table), mode="append", column_order="name")
        return count

    def apply_changes(self, session, table, key, upserts, deletes=None) -> WriteResult:
        key = list(key)
        name = qualified_name(table)
        columns = column_list(table)
        target_keys = session.table(name).select(key)
        upserts = upserts.select(columns).cache_result()
        touched = upserts.select(key)
        deleted = 0
        if deletes is not None:
            doomed = deletes.select(key).join(target_keys, on=key).cache_result()
            deleted = doomed.count()
            touched = touched.union_all(doomed)
        total = upserts.count()
        updated = upserts.select(key).join(target_keys, on=key).count() if total else 0
        if total or deleted:
            kept = without_matches(session.table(name), touched, key).select(columns)
            kept.union_all_by_name(upserts).write.save_as_table(name, mode="overwrite")
        return WriteResult(total - updated, updated, deleted)


class LocalTransaction:
    """No-op: the local runner saves the in-memory warehouse only after success."""

    def begin(self, session: Session) -> None:
        return None

    def commit(self, session: Session) -> None:
        return None

    def rollback(self, session: Session) -> None:
        return None




def local_backend(staging_dir: Optional[Path]) -> Backend:
    return Backend(LocalStagingReader(staging_dir), LocalRewriteWriter(), LocalTransaction())


def register_local_backend(session: Session, staging_dir: Optional[Path]) -> Backend:
    """The local side for `session`, reading staging snapshots from `staging_dir` (None: the
    session loads no staging)."""
    return register_backend(session, local_backend(staging_dir))
