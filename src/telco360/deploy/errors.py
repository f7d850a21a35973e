"""The error every deploy step raises."""


class DeployError(Exception):
    """A deploy that cannot start or did not finish; the message says what to do next."""
