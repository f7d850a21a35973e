"""The Snowpark local-testing warehouse: never shipped to Snowflake (deploy/artifacts.py)."""
