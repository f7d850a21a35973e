"""Deploy-time helpers: table DDL generated from the contract, and the command plans that
`c360 deploy snowflake|aws` prints (--dry-run) or runs."""
