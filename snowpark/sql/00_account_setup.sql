-- Telco Customer 360: one-time account setup, run by an administrator (idempotent).
--
--   snow sql -f snowpark/sql/00_account_setup.sql \
--     -D deploy_user=C360_DEPLOY \
--     -D staging_url=s3://<bucket>/staging/ \
--     -D storage_aws_role_arn=arn:aws:iam::<account>:role/<stack>-snowflake-staging-read \
--     -D storage_aws_external_id=<external id> \
--     -D alert_sns_topic_arn=arn:aws:sns:<region>:<account>:<stack>-alerts \
--     -D alert_sns_role_arn=arn:aws:iam::<account>:role/<stack>-snowflake-alerts-publish
--
-- Each block uses the least powerful system role that can do it: SECURITYADMIN for roles
-- and grants, SYSADMIN for the warehouse and database, ACCOUNTADMIN only for the two
-- integrations and the account-level grants that Snowflake reserves to it. Everything after
-- this file (tables, procedures, tasks, and every pipeline run) runs as the TELCO roles.

-- Roles: the loader owns STAGING, the transformer owns DW and runs the procedures and tasks,
-- the analyst only reads DW. All three roll up to SYSADMIN so administrators keep control.
USE ROLE SECURITYADMIN;
CREATE ROLE IF NOT EXISTS <% ctx.env.loader_role %> COMMENT = 'Telco Customer 360: owns the STAGING schema, its stage and tables';
CREATE ROLE IF NOT EXISTS <% ctx.env.transformer_role %> COMMENT = 'Telco Customer 360: owns DW, runs the procedures and the task graph';
CREATE ROLE IF NOT EXISTS <% ctx.env.analyst_role %> COMMENT = 'Telco Customer 360: SELECT on DW only';
GRANT ROLE <% ctx.env.loader_role %> TO ROLE SYSADMIN;
GRANT ROLE <% ctx.env.transformer_role %> TO ROLE SYSADMIN;
GRANT ROLE <% ctx.env.analyst_role %> TO ROLE SYSADMIN;
-- The deploy user (CI key-pair user) creates objects as the loader and the transformer.
GRANT ROLE <% ctx.env.loader_role %> TO USER <% deploy_user %>;
GRANT ROLE <% ctx.env.transformer_role %> TO USER <% deploy_user %>;

USE ROLE SYSADMIN;
CREATE WAREHOUSE IF NOT EXISTS <% ctx.env.warehouse %>
    WAREHOUSE_SIZE = XSMALL AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE
    COMMENT = 'Telco Customer 360 pipeline and analysts';
CREATE DATABASE IF NOT EXISTS <% ctx.env.database %> COMMENT = 'Telco Customer 360';
-- Managed access: only the schema owner (or MANAGE GRANTS) grants on objects inside.
CREATE SCHEMA IF NOT EXISTS <% ctx.env.database %>.<% ctx.env.staging_schema %> WITH MANAGED ACCESS
    COMMENT = 'Transient load tables, reloaded from the lake staging/ snapshot every run';
CREATE SCHEMA IF NOT EXISTS <% ctx.env.database %>.<% ctx.env.dw_schema %> WITH MANAGED ACCESS
    COMMENT = 'Customer 360 warehouse: what analysts use';

USE ROLE SECURITYADMIN;
GRANT OWNERSHIP ON SCHEMA <% ctx.env.database %>.<% ctx.env.staging_schema %> TO ROLE <% ctx.env.loader_role %> COPY CURRENT GRANTS;
GRANT OWNERSHIP ON SCHEMA <% ctx.env.database %>.<% ctx.env.dw_schema %> TO ROLE <% ctx.env.transformer_role %> COPY CURRENT GRANTS;
GRANT USAGE ON WAREHOUSE <% ctx.env.warehouse %> TO ROLE <% ctx.env.loader_role %>;
GRANT USAGE ON WAREHOUSE <% ctx.env.warehouse %> TO ROLE <% ctx.env.transformer_role %>;
GRANT USAGE ON WAREHOUSE <% ctx.env.warehouse %> TO ROLE <% ctx.env.analyst_role %>;
GRANT USAGE ON DATABASE <% ctx.env.database %> TO ROLE <% ctx.env.loader_role %>;
GRANT USAGE ON DATABASE <% ctx.env.database %> TO ROLE <% ctx.env.transformer_role %>;
GRANT USAGE ON DATABASE <% ctx.env.database %> TO ROLE <% ctx.env.analyst_role %>;

-- The transformer's procedures read the stage and reload the staging tables. With env
-- staging_load external_table they read it through external tables the transformer owns (only
-- an owner may refresh one): 15_external_tables.sql grants CREATE EXTERNAL TABLE on STAGING as
-- the schema's owner, as this file cannot be conditional; the usages below cover the rest.
GRANT USAGE ON SCHEMA <% ctx.env.database %>.<% ctx.env.staging_schema %> TO ROLE <% ctx.env.transformer_role %>;
GRANT USAGE ON FUTURE STAGES IN SCHEMA <% ctx.env.database %>.<% ctx.env.staging_schema %> TO ROLE <% ctx.env.transformer_role %>;
GRANT USAGE ON FUTURE FILE FORMATS IN SCHEMA <% ctx.env.database %>.<% ctx.env.staging_schema %> TO ROLE <% ctx.env.transformer_role %>;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA <% ctx.env.database %>.<% ctx.env.staging_schema %> TO ROLE <% ctx.env.transformer_role %>;
GRANT USAGE ON ALL STAGES IN SCHEMA <% ctx.env.database %>.<% ctx.env.staging_schema %> TO ROLE <% ctx.env.transformer_role %>;
GRANT USAGE ON ALL FILE FORMATS IN SCHEMA <% ctx.env.database %>.<% ctx.env.staging_schema %> TO ROLE <% ctx.env.transformer_role %>;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA <% ctx.env.database %>.<% ctx.env.staging_schema %> TO ROLE <% ctx.env.transformer_role %>;

-- Analysts: SELECT on DW (tables and views, present and future), nothing in STAGING.
GRANT USAGE ON SCHEMA <% ctx.env.database %>.<% ctx.env.dw_schema %> TO ROLE <% ctx.env.analyst_role %>;
GRANT SELECT ON FUTURE TABLES IN SCHEMA <% ctx.env.database %>.<% ctx.env.dw_schema %> TO ROLE <% ctx.env.analyst_role %>;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA <% ctx.env.database %>.<% ctx.env.dw_schema %> TO ROLE <% ctx.env.analyst_role %>;
GRANT SELECT ON ALL TABLES IN SCHEMA <% ctx.env.database %>.<% ctx.env.dw_schema %> TO ROLE <% ctx.env.analyst_role %>;
GRANT SELECT ON ALL VIEWS IN SCHEMA <% ctx.env.database %>.<% ctx.env.dw_schema %> TO ROLE <% ctx.env.analyst_role %>;

-- Integrations and account-level privileges: reserved to ACCOUNTADMIN by Snowflake.
USE ROLE ACCOUNTADMIN;
-- Read-only access to the lake's staging/ prefix through the IAM role of aws/template.yaml
-- (SnowflakeStagingReadRole), which trusts Snowflake only with this external ID.
CREATE STORAGE INTEGRATION IF NOT EXISTS <% ctx.env.storage_integration %>
    TYPE = EXTERNAL_STAGE
    STORAGE_PROVIDER = 'S3'
    ENABLED = TRUE
    STORAGE_AWS_ROLE_ARN = '<% storage_aws_role_arn %>'
    STORAGE_AWS_EXTERNAL_ID = '<% storage_aws_external_id %>'
    STORAGE_ALLOWED_LOCATIONS = ('<% staging_url %>')
    COMMENT = 'Telco Customer 360: read-only, lake staging/ prefix';
-- Re-running converges an existing integration to the parameters given.
ALTER STORAGE INTEGRATION <% ctx.env.storage_integration %> SET
    STORAGE_AWS_ROLE_ARN = '<% storage_aws_role_arn %>'
    STORAGE_AWS_EXTERNAL_ID = '<% storage_aws_external_id %>'
    STORAGE_ALLOWED_LOCATIONS = ('<% staging_url %>');
-- Task failures are published to the pipeline's SNS alert topic (ERROR_INTEGRATION).
CREATE NOTIFICATION INTEGRATION IF NOT EXISTS <% ctx.env.error_integration %>
    ENABLED = TRUE
    TYPE = QUEUE
    NOTIFICATION_PROVIDER = AWS_SNS
    DIRECTION = OUTBOUND
    AWS_SNS_TOPIC_ARN = '<% alert_sns_topic_arn %>'
    AWS_SNS_ROLE_ARN = '<% alert_sns_role_arn %>'
    COMMENT = 'Telco Customer 360: task graph error notifications';
GRANT USAGE ON INTEGRATION <% ctx.env.storage_integration %> TO ROLE <% ctx.env.loader_role %>;
GRANT USAGE ON INTEGRATION <% ctx.env.error_integration %> TO ROLE <% ctx.env.transformer_role %>;
GRANT EXECUTE TASK ON ACCOUNT TO ROLE <% ctx.env.transformer_role %>;
-- The procedures' packages come from Snowflake's PyPI artifact repository (snowflake.yml).
GRANT DATABASE ROLE SNOWFLAKE.PYPI_REPOSITORY_USER TO ROLE <% ctx.env.transformer_role %>;
