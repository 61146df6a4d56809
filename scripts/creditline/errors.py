"""The one exception type for mistakes a user can cause (bad path, bad date, missing warehouse)."""


class CreditlineError(Exception):
    """A user-facing error: the command line prints its message on one line and exits 2."""
