"""PySpark code shared by the Glue jobs (shipped with --extra-py-files). Never imported by
the Lambda or the Snowpark procedures."""
