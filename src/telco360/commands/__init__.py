"""`c360` subcommands: each module exposes `register(subparsers)`."""
