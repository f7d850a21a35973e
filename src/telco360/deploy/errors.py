"""The errors every deploy step raises."""


class DeployError(Exception):
    """A deploy that cannot start or did not finish; the message says what to do next."""


class StepFailed(DeployError):
    """A deploy step that ran and failed (the CLI exits 1); a plain DeployError stops the
    deploy before anything runs (bad arguments or files: exit 2)."""
