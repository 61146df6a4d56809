"""The one exception type for mistakes a user can cause (bad path, bad date, missing warehouse)."""


class CreditlineError(Exception):
    """A user-facing error: the command line prints its message on one line and exits 2."""

    exit_code = 2


class DbtFailed(CreditlineError):
    """dbt ran and failed (a model, a test, a compile error): exit 1, like dbt itself, so a
    scheduler tells a failed build from a mistake in the command (2)."""

    exit_code = 1
