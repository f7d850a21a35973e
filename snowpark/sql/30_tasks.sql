-- Telco Customer 360: the TASK graph. Idempotent; run as the transformer (owner of DW):
--   snow sql -f snowpark/sql/30_tasks.sql
-- Graph: ROOT (the pipeline; its data-quality checks run inside it, before COMMIT) ->
-- REFRESH_MARTS, and FINALIZER after every run.
-- Tasks are created (or altered) suspended; snowpark/sql/40_resume_tasks.sql resumes them,
-- children first and the root last, once the procedures are deployed.
USE ROLE <% ctx.env.transformer_role %>;
USE SCHEMA <% ctx.env.database %>.<% ctx.env.dw_schema %>;

-- A task in a graph can only be changed while its root task is suspended.
ALTER TASK IF EXISTS TASK_CUSTOMER360_ROOT SUSPEND;

-- Root: the whole pipeline, once a day. RUN_DATE is the UTC date the graph run was
-- originally scheduled for, so an automatic retry of the graph reloads the same day.
CREATE OR ALTER TASK TASK_CUSTOMER360_ROOT
    WAREHOUSE = <% ctx.env.warehouse %>
    SCHEDULE = '<% ctx.env.task_schedule %>'
    ALLOW_OVERLAPPING_EXECUTION = FALSE
    TIMEZONE = 'UTC'
    USER_TASK_TIMEOUT_MS = <% ctx.env.task_timeout_ms %>
    SUSPEND_TASK_AFTER_NUM_FAILURES = <% ctx.env.task_suspend_after_failures %>
    ERROR_INTEGRATION = <% ctx.env.error_integration %>
    COMMENT = 'Telco Customer 360: daily load of the staging snapshot into DW'
    TASK_AUTO_RETRY_ATTEMPTS = <% ctx.env.task_retry_attempts %>
AS
    CALL SP_RUN_CUSTOMER360_PIPELINE(
        TO_VARCHAR(
            TO_DATE(CONVERT_TIMEZONE('UTC', TO_TIMESTAMP_TZ(SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_ORIGINAL_SCHEDULED_TIMESTAMP')))),
            'YYYY-MM-DD'
        )
    );

-- Earlier releases ran the data-quality checks as a task of their own; the pipeline now runs
-- them before COMMIT (a critical failure rolls the load back and fails the root, which alerts
-- through its error integration). SP_RUN_DQ_CHECKS stays deployed for checks on demand.
DROP TASK IF EXISTS TASK_CUSTOMER360_DQ_CHECKS;

-- Child: the marts, for the same RUN_DATE, only after a load whose checks passed.
CREATE OR ALTER TASK TASK_CUSTOMER360_REFRESH_MARTS
    WAREHOUSE = <% ctx.env.warehouse %>
    TIMEZONE = 'UTC'
    USER_TASK_TIMEOUT_MS = <% ctx.env.task_timeout_ms %>
    COMMENT = 'Telco Customer 360: analyst marts and views, rebuilt after each load whose checks passed'
    AFTER TASK_CUSTOMER360_ROOT
AS
    CALL SP_REFRESH_MARTS(
        TO_VARCHAR(
            TO_DATE(CONVERT_TIMEZONE('UTC', TO_TIMESTAMP_TZ(SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_ORIGINAL_SCHEDULED_TIMESTAMP')))),
            'YYYY-MM-DD'
        )
    );

-- Finalizer: runs after every graph run, succeeded or failed, and records its outcome in
-- the audit table (STEP = 'TASK_GRAPH'), with the error of each task that did not succeed.
-- A retried graph run (TASK_AUTO_RETRY_ATTEMPTS) keeps its GRAPH_RUN_GROUP_ID: only the latest
-- ATTEMPT_NUMBER of each task decides, so a run that succeeds on retry is SUCCEEDED.
CREATE OR ALTER TASK TASK_CUSTOMER360_FINALIZER
    WAREHOUSE = <% ctx.env.warehouse %>
    TIMEZONE = 'UTC'
    USER_TASK_TIMEOUT_MS = 600000
    COMMENT = 'Telco Customer 360: records the outcome of each graph run in PIPELINE_RUN_LOG'
    FINALIZE = TASK_CUSTOMER360_ROOT
AS
    INSERT INTO PIPELINE_RUN_LOG (RUN_ID, RUN_DATE, STEP, STATUS, ERROR, STARTED_AT, FINISHED_AT, SECONDS)
    SELECT
        SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID'),
        TO_VARCHAR(
            TO_DATE(CONVERT_TIMEZONE('UTC', TO_TIMESTAMP_TZ(SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_ORIGINAL_SCHEDULED_TIMESTAMP')))),
            'YYYY-MM-DD'
        ),
        'TASK_GRAPH',
        IFF(COUNT_IF(STATE <> 'SUCCEEDED') = 0, 'SUCCEEDED', 'FAILED'),
        LISTAGG(IFF(STATE <> 'SUCCEEDED', NAME || ': ' || COALESCE(ERROR_MESSAGE, STATE), NULL), '; '),
        CONVERT_TIMEZONE('UTC', MIN(QUERY_START_TIME))::TIMESTAMP_NTZ,
        CONVERT_TIMEZONE('UTC', CURRENT_TIMESTAMP())::TIMESTAMP_NTZ,
        DATEDIFF('millisecond', MIN(QUERY_START_TIME), CURRENT_TIMESTAMP()) / 1000.0
    FROM (
        SELECT NAME, STATE, ERROR_MESSAGE, QUERY_START_TIME
        FROM TABLE(
            INFORMATION_SCHEMA.TASK_HISTORY(
                SCHEDULED_TIME_RANGE_START => DATEADD('day', -2, CURRENT_TIMESTAMP()),
                RESULT_LIMIT => 1000
            )
        )
        WHERE GRAPH_RUN_GROUP_ID = SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID')
          AND NAME <> 'TASK_CUSTOMER360_FINALIZER'
        QUALIFY ATTEMPT_NUMBER = MAX(ATTEMPT_NUMBER) OVER (PARTITION BY NAME)
    );
