"""The local runner: the whole pipeline on one machine, driven by the real state machine.

`asl` follows aws/statemachine/customer360.asl.json; `glue_local` and the alert sink stand in
for Glue and SNS; `lock`, `records`, `day_run`, `export` and `demo` back `c360 run`,
`c360 export` and `c360 demo`.
"""
