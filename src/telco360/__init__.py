"""Telco Customer 360: a warehouse-native batch pipeline from CRM, billing and network files
to a historically exact Customer 360 warehouse in Snowflake."""

__version__ = "0.1.0"
