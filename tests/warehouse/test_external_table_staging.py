"""The external-table side of the staging seam (env staging_load: external_table). What it sends
parses as Snowflake SQL; on fakesnow, which has no external tables, its INSERT ... SELECT runs
against a view standing in for each external table (the DDL's own column expressions over a
VARIANT `value`), and its refreshes (logged, not run: fakesnow_shims) come before BEGIN. An
unknown STAGING_LOAD fails before any statement."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import sqlglot

from conftest import plan, write_staging
from telco360 import contract
from telco360.deploy import ddl
from telco360.runner import handlers
from telco360.warehouse import pipeline, seams
from telco360.warehouse.seams import ExternalTableStagingReader, StagingError
from telco360.warehouse.tables import STG_PLANS, column_list

D1 = "2024-01-15"
RUN = f"{D1}_r1"
ENTRY = {"path": f"plans/run_id={RUN}/", "files": ["part-00000.parquet"], "rows": 1}


class LakeManifestReader(ExternalTableStagingReader):
    """The external-table reader with the stage's manifests read from a lake folder (fakesnow has
    no S3 stage); everything else is sent as to Snowflake."""

    def __init__(self, staging_dir):
        super().__init__()
        self.staging_dir = staging_dir

    def read_stage_json(self, session, name):
        path = self.staging_dir / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def stand_in_external_tables(session, rows: dict[str, list[tuple[str, dict]]]) -> None:
    """Per staging table, a view named like its external table: the DDL's column expressions
    over a table of (VALUE VARIANT, RUN_ID) holding `(run id, Parquet row)` pairs."""
    for table, external in contract.EXTERNAL_TABLE_OF_STAGING_TABLE.items():
        files = f"TELCO_DB.STAGING.{external}_FILES"
        session.sql(f"CREATE OR REPLACE TABLE {files} (VALUE VARIANT, {contract.EXTERNAL_RUN_ID_COLUMN} VARCHAR)").collect()
        for run_id, row in rows.get(table, []):
            document = json.dumps(row, default=str)
            session.sql(f"INSERT INTO {files} SELECT PARSE_JSON('{document}'), '{run_id}'").collect()
        columns = ", ".join(f"{ddl.external_column_expression(name, sql_type)} AS {name}"
                            for name, sql_type, _ in contract.STAGING_TABLES[table])
        session.sql(f"CREATE OR REPLACE VIEW TELCO_DB.STAGING.{external} AS "
                    f"SELECT {columns}, {contract.EXTERNAL_RUN_ID_COLUMN} FROM {files}").collect()


def test_every_statement_the_reader_sends_parses_as_snowflake_sql():
    reader = ExternalTableStagingReader()
    sent = [reader.refresh_statement(STG_PLANS, ENTRY), reader.insert_statement(STG_PLANS, ENTRY)]
    assert all(sqlglot.parse_one(s, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE) for s in sent)
    assert sent == [
        f"ALTER EXTERNAL TABLE TELCO_DB.STAGING.EXT_STG_PLANS REFRESH 'run_id={RUN}/'",
        f"INSERT INTO TELCO_DB.STAGING.STG_PLANS ({', '.join(column_list(STG_PLANS))}) "
        f"SELECT {', '.join(column_list(STG_PLANS))} FROM TELCO_DB.STAGING.EXT_STG_PLANS WHERE RUN_ID = '{RUN}'",
    ]


def test_a_manifest_path_outside_the_run_folders_is_an_error_naming_the_table():
    with pytest.raises(StagingError, match=r"STG_PLANS: the manifest's path 'plans/2024-01-15/' is not plans/run_id=<RUN_ID>/"):
        ExternalTableStagingReader().insert_statement(STG_PLANS, {**ENTRY, "path": "plans/2024-01-15/"})


class NoStatementSession:
    """A session that fails the test when anything is asked of it."""

    def sql(self, *_args, **_kwargs):
        raise AssertionError("a statement was sent")


@pytest.mark.parametrize("module, handler", [("load_staging.py", "sp_load_staging"),
                                             ("run_pipeline.py", "sp_run_customer360_pipeline")])
def test_unknown_staging_load_fails_before_any_statement(module, handler):
    with pytest.raises(StagingError, match=r"STAGING_LOAD 'parquet' is not one of copy, external_table"):
        handlers.procedure(module, handler)(NoStatementSession(), D1, "parquet")


class RecordingSession:
    """A session that records the statements sent and answers each with no rows."""

    def __init__(self):
        self.sent: list[str] = []

    def sql(self, statement: str):
        self.sent.append(statement)
        return type("Result", (), {"collect": lambda _self: []})()


def test_the_load_reads_the_manifest_whose_run_folders_were_refreshed(tmp_path):
    reader, session = LakeManifestReader(tmp_path / "staging"), RecordingSession()
    write_staging(tmp_path, RUN, plans=[plan("PLN-EXT")])
    reader.prepare(session, D1)
    write_staging(tmp_path, f"{D1}_r2", plans=[plan("PLN-LATER")])  # Job B runs again meanwhile

    assert (reader.read_manifest(session, D1)["run_id"], [s.rsplit(" ", 1)[1] for s in session.sent]) == (
        RUN, [f"'run_id={RUN}/'"] * 3)


def test_a_run_date_without_a_snapshot_refreshes_nothing_and_fails_in_the_load(tmp_path):
    reader = LakeManifestReader(tmp_path / "staging")
    reader.prepare(NoStatementSession(), D1)
    with pytest.raises(StagingError, match=f"staging load for RUN_DATE {D1}: .*_manifest.json not found"):
        reader.read_manifest(NoStatementSession(), D1)


def test_a_local_session_refuses_external_table(wh):
    with pytest.raises(StagingError, match="applies to the Snowpark project's procedures in Snowflake"):
        seams.backend_for_staging_load(wh, "external_table")


def test_insert_select_loads_the_manifests_run_folder_only_with_the_contract_types(fakesnow_wh):
    stand_in_external_tables(fakesnow_wh, {STG_PLANS: [(RUN, plan("PLN-RUN", MONTHLY_FEE=Decimal("20.50"))),
                                                       ("2024-01-14_r0", plan("PLN-EARLIER"))]})

    loaded = ExternalTableStagingReader().load_table(fakesnow_wh, STG_PLANS, ENTRY)

    staged = fakesnow_wh.sql("SELECT PLAN_ID, MONTHLY_FEE, SOURCE_UPDATED_AT, IN_LATEST_CATALOG, CATALOG_EXTRACT_DATE "
                             "FROM TELCO_DB.STAGING.STG_PLANS").collect()
    assert (loaded, [tuple(r) for r in staged]) == (
        1, [("PLN-RUN", Decimal("20.50"), dt.datetime(2024, 1, 1), True, dt.date(2024, 1, 15))])


def test_pipeline_refreshes_every_external_table_before_begin_and_reads_them_after(fakesnow_wh, tmp_path):
    from fakesnow_shims import statement_log

    write_staging(tmp_path, RUN, plans=[plan("PLN-EXT")])
    stand_in_external_tables(fakesnow_wh, {STG_PLANS: [(RUN, plan("PLN-EXT"))]})
    backend = seams.Backend(LakeManifestReader(tmp_path / "staging"), seams.MergeWriter(), seams.SnowflakeTransaction())

    with statement_log() as log:
        pipeline.run_pipeline(fakesnow_wh, D1, backend=backend)

    sent = [s.text for s in log if not s.describe_only]
    begin = sent.index("BEGIN")
    refreshes = [i for i, text in enumerate(sent) if text.startswith("ALTER EXTERNAL TABLE")]
    inserts = [i for i, text in enumerate(sent) if text.startswith("INSERT INTO") and " FROM TELCO_DB.STAGING.EXT_" in text]
    dim_plan = [r[0] for r in fakesnow_wh.sql("SELECT PLAN_ID FROM TELCO_DB.DW.DIM_PLAN").collect()]
    assert (len(refreshes), max(refreshes) < begin, len(inserts), min(inserts) > begin, dim_plan) == (
        3, True, 3, True, ["PLN-EXT"])
