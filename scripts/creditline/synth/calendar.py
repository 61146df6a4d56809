"""Month arithmetic on day numbers (days since 1970-01-01) for the simulation period."""

from dataclasses import dataclass

import numpy as np

# Months beyond the period kept so that 12-month schedules drawn in the last month have due dates.
_TAIL_MONTHS = 15


@dataclass(frozen=True)
class Calendar:
    """The simulation period: `months` months from the first day of `start`."""

    months: int
    month_start: np.ndarray  # int64 day numbers, months + _TAIL_MONTHS + 1 entries
    month_len: np.ndarray  # int64 days in each month

    @classmethod
    def build(cls, start: str, months: int) -> "Calendar":
        base = np.datetime64(start, "M")
        starts = (base + np.arange(months + _TAIL_MONTHS + 1)).astype("datetime64[D]")
        starts = starts.astype(np.int64)
        return cls(months=months, month_start=starts, month_len=np.diff(starts))

    @property
    def as_of(self) -> int:
        """Day number of the data's as-of date: the last day of the last month."""
        return int(self.month_start[self.months] - 1)

    def month_end(self, month):
        """Day number of the last day of month index `month` (scalar or array)."""
        return self.month_start[np.asarray(month) + 1] - 1

    def month_of(self, day: np.ndarray) -> np.ndarray:
        """Month index of each day number."""
        return np.searchsorted(self.month_start, day, side="right") - 1

    def same_day_later(self, day: np.ndarray, month: np.ndarray, k: np.ndarray) -> np.ndarray:
        """The day-of-month of `day` (in `month`), k months later, clamped to the month's length."""
        target = month + k
        dom = day - self.month_start[month]
        return self.month_start[target] + np.minimum(dom, self.month_len[target] - 1)
