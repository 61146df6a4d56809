"""The month-end risk engine: freezes, cuts, closes, raises, unfreezes and reopens lines."""

import numpy as np

from . import codes as c
from .book import Book, Log
from .calendar import Calendar
from .people import People

_ENGINE_SECS = 23 * 3600
_RECOVERABLE = (
    c.OVERDUE,
    c.HIGH_UTILIZATION,
    c.SCORE_DROP,
    c.MULTI_BORROWING,
    c.LINKED_PRODUCT,
)


def _round100(x: np.ndarray, floor: float = 100.0) -> np.ndarray:
    return np.maximum(np.round(x / 100) * 100, floor)


class _Review:
    """One month-end pass: each line gets at most one action (a zero-limit cut counts as one)."""

    def __init__(self, book: Book, cal: Calendar, m: int, log: Log):
        self.book, self.m, self.log = book, m, log
        self.day = int(cal.month_end(m))
        self.start_status = book.status.copy()
        self.acted = np.zeros(book.status.shape, bool)
        self.cut = np.zeros(book.status.shape[0], bool)  # customers with a limit cut by risk
        self.closed = np.zeros(book.status.shape[0], bool)  # customers with a line closed by risk

    def act(self, mask, etype, reason, initiator, new_limit=None, sec=0) -> np.ndarray:
        b = self.book
        mask = mask & ~self.acted
        self.acted |= mask
        ci, si = np.nonzero(mask)
        before = b.limit[ci, si]
        if etype == c.CLOSE:
            after = np.zeros(ci.size)
        elif etype in (c.FREEZE, c.UNFREEZE):
            after = before
        else:
            after = new_limit[ci, si]
        self.log.add(
            ci.size,
            cust=ci,
            slot=si,
            day=self.day,
            secs=_ENGINE_SECS + sec,
            etype=etype,
            before=before,
            after=after,
            reason=reason,
            initiator=initiator,
        )
        b.limit[ci, si] = after
        if etype == c.CLOSE:
            b.status[ci, si] = c.LINE_CLOSED
            b.close_month[ci, si] = self.m
            b.close_reason[ci, si] = reason
            b.limit_at_close[ci, si] = np.where(before > 0, before, b.limit_at_close[ci, si])
            b.score_at_close[ci, si] = b.scores[ci, self.m]
            b.streak[ci, si] = 0
        elif etype == c.FREEZE:
            b.status[ci, si] = c.LINE_FROZEN
            b.frozen_month[ci, si] = self.m
        elif etype == c.UNFREEZE:
            b.status[ci, si] = c.LINE_OPEN
            b.last_use[ci, si] = self.m
        elif etype == c.REOPEN:
            b.status[ci, si] = c.LINE_OPEN
            b.reopen_month[ci, si] = self.m
            b.last_use[ci, si] = self.m
        elif etype == c.INCREASE:
            b.last_raise[ci, si] = self.m
        elif etype == c.DECREASE:
            b.limit_at_close[ci, si] = before
        if etype == c.DECREASE and reason != c.CUSTOMER_REQUEST:
            self.cut[ci] = True
        if etype == c.CLOSE and reason != c.CUSTOMER_REQUEST:
            self.closed[ci] = True
        return mask


def month_end_review(
    book: Book, people: People, cal: Calendar, m: int, rng, log: Log
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the engine's rules at the end of month m; returns two customer masks: a limit
    cut by risk (a decrease, including a cut to zero) and a line closed by risk (any close
    not requested by the customer)."""
    b = book
    n = people.size
    r = _Review(b, cal, m, log)
    s0 = r.start_status
    opened = s0 == c.LINE_OPEN
    frozen = s0 == c.LINE_FROZEN
    live = opened | frozen
    score = b.scores[:, m][:, None].astype(float)
    arrears = b.arrears_start >= 0
    other_arrears = arrears[:, ::-1] & (b.status[:, ::-1] != c.NO_LINE)
    util = np.divide(b.out, b.limit, out=np.zeros_like(b.out), where=b.limit > 0)
    b.streak = np.where(opened & (util >= 0.95), b.streak + 1, 0).astype(np.int16)

    def u():
        return rng.random((n, 2))

    def scaled(lo, hi):
        return _round100(b.limit * rng.uniform(lo, hi, (n, 2)))

    # Fraud: rare, closes every line of the customer for good.
    fraud = (rng.random(n) < 0.00005) & live.any(axis=1)
    r.act(live & fraud[:, None], c.CLOSE, c.FRAUD_SUSPECTED, c.RISK_ENGINE)
    b.fraud |= fraud

    # Overdue: a fresh miss freezes or closes (repeat offenders are closed); lasting arrears close.
    r.act(live & b.charged, c.CLOSE, c.OVERDUE, c.RISK_ENGINE)
    fresh = live & (b.arrears_start == m)
    repeat = (b.misses >= 2)[:, None] | (m - b.reopen_month <= 12)
    p_close = np.where(repeat, 0.85, 0.35)
    r.act(fresh & ((u() < p_close) | frozen), c.CLOSE, c.OVERDUE, c.RISK_ENGINE)
    r.act(fresh & opened, c.FREEZE, c.OVERDUE, c.RISK_ENGINE)
    lasting = live & arrears & (m - b.arrears_start >= 1)
    r.act(lasting & (u() < 0.4), c.CLOSE, c.OVERDUE, c.RISK_ENGINE)

    # Linked product: the other line just went delinquent; protect this one.
    other_fresh = other_arrears & (b.arrears_start[:, ::-1] == m)
    linked = live & ~arrears & other_fresh & (u() < 0.6)
    r.act(linked & ((u() < 0.45) | frozen), c.CLOSE, c.LINKED_PRODUCT, c.RISK_ENGINE)
    r.act(linked & opened, c.FREEZE, c.LINKED_PRODUCT, c.RISK_ENGINE)

    # High utilization: limit used up at three or more month-ends in a row.
    high = opened & (b.streak >= 3) & (u() < 0.45)
    split = u()
    r.act(high & (split < 0.55), c.CLOSE, c.HIGH_UTILIZATION, c.RISK_ENGINE)
    r.act(high, c.DECREASE, c.HIGH_UTILIZATION, c.RISK_ENGINE, scaled(0.5, 0.8))

    # Multi-borrowing: many inquiries at other lenders this month.
    multi = opened & (b.inq_other[:, m] >= 4)[:, None] & (u() < 0.5)
    split = u()
    r.act(multi & (split < 0.4), c.FREEZE, c.MULTI_BORROWING, c.RISK_ENGINE)
    r.act(multi & (split < 0.75), c.DECREASE, c.MULTI_BORROWING, c.RISK_ENGINE, scaled(0.5, 0.7))
    r.act(multi, c.CLOSE, c.MULTI_BORROWING, c.RISK_ENGINE)

    # Score drop: 50+ points below the best of the last three months.
    if m >= 3:
        best = b.scores[:, m - 3 : m].max(axis=1)[:, None]
        drop = opened & (score <= best - 50) & (u() < 0.4)
        split = u()
        r.act(drop & (split < 0.55), c.DECREASE, c.SCORE_DROP, c.RISK_ENGINE, scaled(0.5, 0.8))
        r.act(drop & (split < 0.8), c.FREEZE, c.SCORE_DROP, c.RISK_ENGINE)
        r.act(drop, c.CLOSE, c.SCORE_DROP, c.RISK_ENGINE)

    # Inactivity: twelve months without a drawdown.
    r.act(opened & (m - b.last_use >= 12) & (u() < 0.1), c.CLOSE, c.INACTIVITY, c.RISK_ENGINE)

    # Policy tightening: one month mid-period closes a share of the lower-score lines.
    if cal.months >= 6 and m == cal.months // 2:
        weak = (score < 600) & (u() < 0.25) | (score < 640) & (u() < 0.06)
        r.act(live & weak, c.CLOSE, c.POLICY_TIGHTENING, c.RISK_ENGINE)

    # Risk review: a weak profile without delinquency gets a zero-limit closure.
    weak = (b.episodes == 0) & (people.risk_z > 0.3) & (b.scores[:, m] < 615)
    review = opened & weak[:, None] & (u() < 0.006) & ~r.acted
    r.act(review, c.DECREASE, c.RISK_REVIEW, c.RISK_ENGINE, np.zeros((n, 2)))
    r.acted &= ~review
    r.act(review, c.CLOSE, c.RISK_REVIEW, c.RISK_ENGINE, sec=60)

    # Customer request: rare voluntary closure.
    r.act(opened & (u() < 0.0005), c.CLOSE, c.CUSTOMER_REQUEST, c.CUSTOMER)

    # Raises for good customers.
    since = m - np.maximum(b.last_raise, b.open_month)
    good = opened & ~arrears & (b.clean >= 6) & (score >= 640) & (since >= 6) & (util < 0.9)
    good &= u() < 0.2
    raised = np.minimum(scaled(1.1, 1.5), np.maximum(b.limit, 100_000))
    split = u()
    r.act(good & (split < 0.7), c.INCREASE, c.PERIODIC_REVIEW, c.RISK_ENGINE, raised)
    r.act(good, c.INCREASE, c.GOOD_BEHAVIOUR, c.RISK_ENGINE, raised)

    # Unfreeze after better behaviour, or on appeal.
    calm = frozen & ~arrears & ~other_arrears & ~b.charged & (m - b.frozen_month >= 1)
    split = u()
    r.act(calm & (split < 0.3), c.UNFREEZE, c.GOOD_BEHAVIOUR, c.RISK_ENGINE)
    r.act(calm & (split < 0.38), c.UNFREEZE, c.APPEAL_APPROVED, c.MANUAL_REVIEW)

    # Reopen: clean repayment and recovered score, appeals, marketing campaigns.
    blocked = b.fraud | b.charged.any(axis=1) | arrears.any(axis=1)
    closed = (s0 == c.LINE_CLOSED) & ~blocked[:, None] & (m - b.close_month >= 1)
    months_closed = m - b.close_month
    split = u()
    recoverable = np.isin(b.close_reason, _RECOVERABLE)
    recovered = (b.clean >= 2) & (score >= np.maximum(560, b.score_at_close))
    was = b.limit_at_close
    r.act(
        closed & recoverable & recovered & (split < 0.12),
        c.REOPEN,
        c.GOOD_BEHAVIOUR,
        c.RISK_ENGINE,
        _round100(was * rng.uniform(0.4, 0.8, (n, 2)), 500),
    )
    appeal = (months_closed <= 3) & (b.close_reason != c.CUSTOMER_REQUEST)
    r.act(
        closed & appeal & (split >= 0.12) & (split < 0.15),
        c.REOPEN,
        c.APPEAL_APPROVED,
        c.MANUAL_REVIEW,
        _round100(was * rng.uniform(0.8, 1.0, (n, 2)), 500),
    )
    campaign = (months_closed >= 6) & (score >= 600)
    r.act(
        closed & campaign & (split >= 0.15) & (split < 0.19),
        c.REOPEN,
        c.REOPEN_CAMPAIGN,
        c.MARKETING,
        _round100(was * rng.uniform(0.6, 1.0, (n, 2)), 500),
    )
    return r.cut, r.closed
