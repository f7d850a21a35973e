"""The warehouse side (Snowpark): pure DataFrame transforms for DIM_PLAN, the SCD2
DIM_CUSTOMER and the point-in-time FACT_ACTIVITY, the seams where Snowflake and Snowpark
local testing differ, and local warehouse persistence. Never imports PySpark."""
