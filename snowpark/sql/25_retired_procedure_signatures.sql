-- Telco Customer 360: procedure signatures of earlier releases that the current ones would make
-- ambiguous, dropped before `snow snowpark deploy` creates the current ones (idempotent).
--   snow sql -f snowpark/sql/25_retired_procedure_signatures.sql
-- SP_LOAD_STAGING and SP_RUN_CUSTOMER360_PIPELINE took RUN_DATE alone; they now also take
-- STAGING_LOAD with a default, and Snowflake refuses to create (VARCHAR, VARCHAR DEFAULT ...)
-- beside (VARCHAR): "Cannot overload PROCEDURE ... ambiguous PROCEDURE overloading" (error 949).
USE ROLE <% ctx.env.transformer_role %>;
DROP PROCEDURE IF EXISTS <% ctx.env.database %>.<% ctx.env.dw_schema %>.SP_LOAD_STAGING(VARCHAR);
DROP PROCEDURE IF EXISTS <% ctx.env.database %>.<% ctx.env.dw_schema %>.SP_RUN_CUSTOMER360_PIPELINE(VARCHAR);
