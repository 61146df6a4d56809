"""The chunk's mutable state: per line (customer x product slot) and per customer arrays, and
append-only logs of the records the simulation produces."""

import numpy as np

from .codes import NO_LINE


class Book:
    """State of a chunk's lines; line arrays have shape (customers, 2): slot 0 is the first line."""

    def __init__(self, n: int, months: int, horizon: int):
        lines = (n, 2)
        self.status = np.full(lines, NO_LINE, np.int8)
        self.product = np.zeros(lines, np.int8)
        self.limit = np.zeros(lines)
        self.out = np.zeros(lines)  # scheduled outstanding principal
        self.open_month = np.full(lines, -1, np.int64)
        self.open_day = np.zeros(lines, np.int64)
        self.open_secs = np.zeros(lines, np.int64)
        self.initial_limit = np.zeros(lines)
        self.last_use = np.full(lines, -1, np.int64)  # inactivity clock: drawdown, open, reopen
        self.streak = np.zeros(lines, np.int16)  # consecutive month-ends at 95%+ utilization
        self.close_month = np.full(lines, -1, np.int64)
        self.close_reason = np.zeros(lines, np.int8)
        self.limit_at_close = np.zeros(lines)
        self.score_at_close = np.zeros(lines)
        self.frozen_month = np.full(lines, -1, np.int64)
        self.last_raise = np.full(lines, -1, np.int64)
        self.reopen_month = np.full(lines, -1000, np.int64)
        self.arrears_start = np.full(lines, -1, np.int64)
        self.depth = np.zeros(lines, np.int16)  # months of installments behind
        self.stayed = np.zeros(lines, np.int16)  # months in arrears paying part, not deeper
        self.charged = np.zeros(lines, bool)
        self.clean = np.zeros(lines, np.int16)  # consecutive clean months
        # per customer
        self.fraud = np.zeros(n, bool)
        self.episodes = np.zeros(n, np.int16)  # months with a late or missed payment
        self.misses = np.zeros(n, np.int16)  # months with a missed payment
        self.adj = np.zeros(n)  # behaviour adjustment of the score
        self.boost_until = np.full(n, -1, np.int64)  # shopping at other lenders after a cut
        self.closure_dent = np.zeros(n)  # the score effect of closures by risk (simulate.py)
        # per line and month
        self.delta = np.zeros((n, 2, horizon))  # scheduled principal reductions
        self.has_due = np.zeros((n, 2, horizon), bool)
        self.pay_state = np.zeros((n, 2, months), np.int8)
        self.cure_day = np.zeros((n, 2, months), np.int64)
        # per customer and month
        self.scores = np.zeros((n, months), np.int16)
        self.inq_other = np.zeros((n, months), np.int16)


class Log:
    """Column lists that grow month by month and are concatenated once at the end."""

    def __init__(self, *columns: str):
        self._cols = {c: [] for c in columns}

    def add(self, size: int, **values) -> None:
        for name, value in values.items():
            self._cols[name].append(np.broadcast_to(np.asarray(value), (size,)).copy())

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            c: (np.concatenate(v) if v else np.zeros(0, np.int64)) for c, v in self._cols.items()
        }


def event_log() -> Log:
    return Log("cust", "slot", "day", "secs", "etype", "before", "after", "reason", "initiator")
