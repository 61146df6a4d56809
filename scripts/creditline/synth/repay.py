"""Repayments of every installment, derived from each line's monthly repayment behaviour.

On-time months pay on or a few days before the due date (a few partially, a few with a small
overpayment, some loans paid off early in full); late months pay 1-29 days late; missed
installments wait for the month the line cures and are then paid together per loan; nothing
is paid once the line is charged off, and nothing after the as-of date.
"""

import numpy as np

from . import codes as c
from .book import Book
from .calendar import Calendar


def _next_cure(book: Book, months: int) -> np.ndarray:
    """For each line and month, the day of the first cure at or after that month (-1: none)."""
    n = book.pay_state.shape[0]
    nxt = np.full((n, 2, months + 1), -1, np.int64)
    for m in range(months - 1, -1, -1):
        state = book.pay_state[:, :, m]
        later = np.where(state == c.PAY_CHARGED_OFF, -1, nxt[:, :, m + 1])
        nxt[:, :, m] = np.where(state == c.PAY_CURE, book.cure_day[:, :, m], later)
    return nxt


def build_repayments(loans: dict, inst: dict, book: Book, cal: Calendar, rng) -> dict:
    """One row per payment: loan index, day number, seconds of day, amount."""
    months = cal.months
    loan = inst["loan"]
    k = inst["k"]
    n_loans = loans["principal"].size
    cust, slot = loans["cust"][loan], loans["slot"][loan]
    draw_m, draw_day = loans["month"][loan], loans["day"][loan]
    due_m = draw_m + k
    due = cal.same_day_later(draw_day, draw_m, k)
    total = np.round(inst["principal"] + inst["interest"], 2)
    inside = due_m < months
    state = np.full(loan.size, -1, np.int8)
    state[inside] = book.pay_state[cust[inside], slot[inside], due_m[inside]]

    payoff = loans["payoff"][loan]
    at_payoff = inside & (k == payoff) & (state == c.PAY_OK)
    honoured = np.zeros(n_loans, bool)
    honoured[loan[at_payoff]] = True
    after_payoff = honoured[loan] & (k > payoff)
    # An early payoff settles the rest of the schedule in full, interest included: the raw
    # contract has no field for an interest rebate, so a waived remainder would look like
    # arrears to the warehouse's allocation (it did: phantom M7+ lines).
    rest = np.bincount(loan, weights=np.where(after_payoff, total, 0.0), minlength=n_loans)

    parts_loan, parts_day, parts_amount = [], [], []

    def emit(mask, day, amount):
        parts_loan.append(loan[mask])
        parts_day.append(day)
        parts_amount.append(amount)

    # On time (including the current installments of a month that cures).
    ok = ((state == c.PAY_OK) | (state == c.PAY_CURE)) & ~after_payoff
    early_days = np.where(rng.random(loan.size) < 0.55, 0, rng.integers(1, 4, loan.size))
    roll = rng.random(loan.size)
    payoff_row = ok & at_payoff
    partial = ok & ~payoff_row & (roll < 0.04)
    over = ok & ~payoff_row & ~partial & (roll > 0.997)
    plain = ok & ~payoff_row & ~partial
    amount = total + np.where(over, np.round(rng.uniform(1, 20, loan.size), 2), 0.0)
    emit(plain, (due - early_days)[plain], amount[plain])
    payoff_day = np.maximum(due - rng.integers(0, 11, loan.size), draw_day + 1)
    emit(payoff_row, payoff_day[payoff_row], np.round(total + rest[loan], 2)[payoff_row])
    first = np.round(total * rng.uniform(0.3, 0.8, loan.size), 2)
    emit(partial, due[partial], first[partial])
    emit(
        partial,
        (due + rng.integers(3, 26, loan.size))[partial],
        np.round(total - first, 2)[partial],
    )

    # Late by 1-29 days.
    late = state == c.PAY_LATE
    late_days = np.minimum(rng.geometric(0.15, loan.size), 29)
    emit(late, (due + late_days)[late], total[late])

    # Missed: paid when the line cures, one payment per loan and cure day.
    missed = np.nonzero(state == c.PAY_ARREARS)[0]
    cure = _next_cure(book, months)[cust[missed], slot[missed], due_m[missed] + 1]
    paid = cure >= 0
    missed, cure = missed[paid], cure[paid]
    key = loan[missed].astype(np.int64) * 65_536 + (cure - cal.month_start[0])
    keys, inverse = np.unique(key, return_inverse=True)
    parts_loan.append(keys // 65_536)
    parts_day.append(keys % 65_536 + cal.month_start[0])
    parts_amount.append(np.round(np.bincount(inverse, weights=total[missed]), 2))

    out_loan = np.concatenate(parts_loan)
    out_day = np.concatenate(parts_day)
    out_amount = np.concatenate(parts_amount)
    keep = (out_day <= cal.as_of) & (out_amount > 0)
    out_loan, out_day, out_amount = out_loan[keep], out_day[keep], out_amount[keep]
    order = np.lexsort((out_loan, out_day))
    secs = rng.integers(7 * 3600, 23 * 3600, order.size)
    return {
        "loan": out_loan[order],
        "day": out_day[order],
        "secs": secs,
        "amount": out_amount[order],
    }
