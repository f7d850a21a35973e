-- Telco Customer 360: the external stage over the lake's staging/ zone and its file formats.
-- Idempotent; run as the loader, which owns STAGING:
--   snow sql -f snowpark/sql/10_staging_objects.sql -D staging_url=s3://<bucket>/staging/
-- Names are telco360.contract.STAGING_STAGE and MANIFEST_FILE_FORMAT (a test checks them).
USE ROLE <% ctx.env.loader_role %>;
USE SCHEMA <% ctx.env.database %>.<% ctx.env.staging_schema %>;

-- Job B writes Parquet with upper-case column names matching contract.STAGING_TABLES.
CREATE FILE FORMAT IF NOT EXISTS STAGING_PARQUET_FORMAT
    TYPE = PARQUET
    USE_LOGICAL_TYPE = TRUE
    COMMENT = 'Telco Customer 360: staging/<dataset>/run_id=<RUN_ID>/*.parquet';

-- staging/_manifest.json and staging/_manifests/<RUN_ID>.json: one JSON document each.
CREATE FILE FORMAT IF NOT EXISTS MANIFEST_JSON_FORMAT
    TYPE = JSON
    STRIP_OUTER_ARRAY = FALSE
    COMMENT = 'Telco Customer 360: staging manifests';

CREATE STAGE IF NOT EXISTS STAGING_STAGE
    URL = '<% staging_url %>'
    STORAGE_INTEGRATION = <% ctx.env.storage_integration %>
    FILE_FORMAT = STAGING_PARQUET_FORMAT
    COMMENT = 'Telco Customer 360: the lake staging/ zone (Glue Job B output), read-only';
-- Re-running converges an existing stage to the URL given.
ALTER STAGE STAGING_STAGE SET
    URL = '<% staging_url %>'
    STORAGE_INTEGRATION = <% ctx.env.storage_integration %>;
