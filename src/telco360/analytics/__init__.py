"""The analyst layer: marts and views over TELCO_DB.DW (Snowpark), data-quality checks that
run after every load (Snowpark), and the local run report (HTML, no Snowpark)."""
