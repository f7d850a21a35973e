-- Telco Customer 360: resume the TASK graph, children first and the root last (a root
-- resumed before its children could start a graph run that skips them).
--   snow sql -f snowpark/sql/40_resume_tasks.sql
-- Roll back (stop the schedule): ALTER TASK <database>.<dw schema>.TASK_CUSTOMER360_ROOT SUSPEND;
USE ROLE <% ctx.env.transformer_role %>;
USE SCHEMA <% ctx.env.database %>.<% ctx.env.dw_schema %>;
ALTER TASK TASK_CUSTOMER360_FINALIZER RESUME;
ALTER TASK TASK_CUSTOMER360_REFRESH_MARTS RESUME;
ALTER TASK TASK_CUSTOMER360_ROOT RESUME;
