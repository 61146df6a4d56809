"""Repayments of every installment, derived from each line's monthly repayment behaviour.

On-time months pay on or a few days before the due date (a few partially, a few with a small
overpayment, some loans settled early with interest to the day); late months pay 1-29 days
late; a line in arrears pays some months' due (and stays as far behind), and its missed
installments wait for the month it cures and are then paid together per loan; what is paid
late carries its penalty interest; nothing is paid once the line is charged off, and nothing
after the as-of date. Prepayments (early.py) are paid on their day.
"""

import numpy as np

from . import codes as c
from .book import Book
from .calendar import Calendar
from .early import SETTLEMENT_TYPED_SHARE, EarlyRepayment, accrued, penalty_rates

# repayment_type of each payment: installment, settlement, prepayment, or none stated
INSTALLMENT, SETTLEMENT, PREPAYMENT, UNTYPED = 0, 1, 2, 3


def _next_cure(book: Book, months: int) -> np.ndarray:
    """For each line and month, the day of the first cure at or after that month (-1: none)."""
    n = book.pay_state.shape[0]
    nxt = np.full((n, 2, months + 1), -1, np.int64)
    for m in range(months - 1, -1, -1):
        state = book.pay_state[:, :, m]
        later = np.where(state == c.PAY_CHARGED_OFF, -1, nxt[:, :, m + 1])
        nxt[:, :, m] = np.where(state == c.PAY_CURE, book.cure_day[:, :, m], later)
    return nxt


def _paid_in_part(loans, loan, due_m, missed, cure, book: Book, cal: Calendar) -> np.ndarray:
    """For each missed installment (`missed`, in loan and installment order; `cure`: the day
    its line next cures, -1 none), the month a part-paying month of its line pays it (-1 none):
    a line paying part pays, on each loan with nothing due that month, the oldest missed
    installment not yet paid."""
    n_loans = loans["principal"].size
    paid_month = np.full(missed.size, -1, np.int64)
    if missed.size == 0:
        return paid_month
    cure_month = np.where(cure >= 0, cal.month_of(cure), np.iinfo(np.int64).max)
    owner = loan[missed]
    position = np.searchsorted(owner, np.arange(n_loans))
    end = np.searchsorted(owner, np.arange(n_loans), side="right")
    # a loan's installments fall due in consecutive months: nothing is due outside them
    first_due = np.full(n_loans, np.iinfo(np.int64).max)
    last_due = np.full(n_loans, -1)
    np.minimum.at(first_due, loan, due_m)
    np.maximum.at(last_due, loan, due_m)
    behind = np.nonzero(end > position)[0]  # the loans with a missed installment
    cust, slot = loans["cust"][behind], loans["slot"][behind]
    for m in range(cal.months):
        parting = book.pay_state[cust, slot, m] == c.PAY_PARTIAL
        nothing_due = (m < first_due[behind]) | (m > last_due[behind])
        candidate = behind[parting & nothing_due & (position[behind] < end[behind])]
        # skip what an earlier cure paid
        while candidate.size:
            stale = cure_month[position[candidate]] <= m
            position[candidate[stale]] += 1
            candidate = candidate[position[candidate] < end[candidate]]
            if not stale.any():
                break
        row = position[candidate]
        take = due_m[missed[row]] < m
        paid_month[row[take]] = m
        position[candidate[take]] += 1
    return paid_month


def build_repayments(loans: dict, early: EarlyRepayment, book: Book, cal: Calendar, rng) -> dict:
    """One row per payment: loan index, day number, seconds of day, amount, the penalty
    interest it pays and its type; installments are the schedule in force."""
    inst = early.in_force
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

    rate = loans["rate"][loan]
    penalty_rate = penalty_rates(rate)
    payoff = loans["payoff"][loan]
    # a settlement comes after a month paid on time (nothing of the loan is still owing)
    previous_state = np.full(loan.size, -1, np.int8)
    before = inside & (k > 1)
    previous_state[before] = book.pay_state[cust[before], slot[before], due_m[before] - 1]
    at_payoff = inside & (k == payoff) & (state == c.PAY_OK) & (previous_state == c.PAY_OK)
    honoured = np.zeros(n_loans, bool)
    honoured[loan[at_payoff]] = True
    after_payoff = honoured[loan] & (k > payoff)
    principal_after = np.bincount(
        loan, weights=np.where(after_payoff, inst["principal"], 0.0), minlength=n_loans
    )

    parts_loan, parts_day, parts_amount, parts_penalty, parts_type = [], [], [], [], []

    def emit(mask, day, amount, penalty=None, kind=INSTALLMENT):
        parts_loan.append(loan[mask])
        parts_day.append(day)
        parts_amount.append(amount)
        parts_penalty.append(np.zeros(day.size) if penalty is None else penalty)
        parts_type.append(np.full(day.size, kind, np.int8) if np.isscalar(kind) else kind)

    # On time (including the current installments of a month that cures).
    ok = ((state == c.PAY_OK) | (state == c.PAY_CURE)) & ~after_payoff
    early_days = np.where(rng.random(loan.size) < 0.55, 0, rng.integers(1, 4, loan.size))
    roll = rng.random(loan.size)
    payoff_row = ok & at_payoff
    # no part left to pay after a settlement or a prepayment that follows the installment
    prepaid_after = np.zeros(n_loans, np.int64)
    prepaid_after[early.prepayments["loan"]] = early.prepayments["k"]
    settles_next = honoured[loan] & (k == payoff - 1)
    partial = ok & ~payoff_row & ~settles_next & (k != prepaid_after[loan]) & (roll < 0.04)
    over = ok & ~payoff_row & ~partial & (roll > 0.997)
    plain = ok & ~payoff_row & ~partial
    amount = total + np.where(over, np.round(rng.uniform(1, 20, loan.size), 2), 0.0)
    emit(plain, (due - early_days)[plain], amount[plain])

    # A settlement: on its due day the installment and the principal after it; before it, the
    # principal from it on with the interest accrued since the previous due date. Untyped
    # ones only where no overpayment came before (it would move the payoff off the amount).
    payoff_day = np.maximum(due - rng.integers(0, 11, loan.size), draw_day + 1)
    previous_due = cal.same_day_later(draw_day, draw_m, k - 1)
    owed_from_k = inst["principal"] + principal_after[loan]
    settlement = np.where(
        payoff_day == due,
        total + principal_after[loan],
        owed_from_k + accrued(owed_from_k, rate, payoff_day - previous_due),
    )
    overpaid = np.bincount(loan, weights=over & (k < payoff), minlength=n_loans) > 0
    typed = (rng.random(loan.size) < SETTLEMENT_TYPED_SHARE) | overpaid[loan]
    emit(
        payoff_row,
        payoff_day[payoff_row],
        np.round(settlement, 2)[payoff_row],
        kind=np.where(typed, SETTLEMENT, UNTYPED).astype(np.int8)[payoff_row],
    )
    first = np.round(total * rng.uniform(0.3, 0.8, loan.size), 2)
    emit(partial, due[partial], first[partial])
    rest_day = due + rng.integers(3, 26, loan.size)
    rest_penalty = accrued(total - first, penalty_rate, rest_day - due)
    emit(
        partial,
        rest_day[partial],
        np.round(total - first + rest_penalty, 2)[partial],
        rest_penalty[partial],
    )

    # Late by 1-29 days.
    late = state == c.PAY_LATE
    late_days = np.minimum(rng.geometric(0.15, loan.size), 29)
    late_penalty = accrued(total, penalty_rate, late_days)
    emit(late, (due + late_days)[late], (total + late_penalty)[late], late_penalty[late])

    # In arrears, paying part: this month's due on each loan that has one, and on each loan
    # in arrears with nothing due this month its oldest missed installment; either way the
    # payment clears the loan's oldest arrears first (the warehouse's allocation), so the line
    # stays as far behind as it was.
    part = state == c.PAY_PARTIAL
    part_day = np.minimum(due + rng.integers(0, 11, loan.size), cal.as_of)
    emit(part, part_day[part], total[part])
    missed = np.nonzero(state == c.PAY_ARREARS)[0]
    cure = _next_cure(book, months)[cust[missed], slot[missed], due_m[missed] + 1]
    caught_up = _paid_in_part(loans, loan, due_m, missed, cure, book, cal)
    extra = missed[caught_up >= 0]
    extra_day = cal.month_start[caught_up[caught_up >= 0]] + rng.integers(0, 28, extra.size)
    extra_penalty = accrued(total[extra], penalty_rate[extra], extra_day - due[extra])
    emit(
        np.isin(np.arange(loan.size), extra),
        extra_day,
        total[extra] + extra_penalty,
        extra_penalty,
    )

    # Missed: paid when the line cures, one payment per loan and cure day.
    paid = (cure >= 0) & (caught_up < 0)
    missed, cure = missed[paid], cure[paid]
    key = loan[missed].astype(np.int64) * 65_536 + (cure - cal.month_start[0])
    keys, inverse = np.unique(key, return_inverse=True)
    missed_penalty = accrued(total[missed], penalty_rate[missed], cure - due[missed])
    cure_penalty = np.round(np.bincount(inverse, weights=missed_penalty), 2)
    parts_loan.append(keys // 65_536)
    parts_day.append(keys % 65_536 + cal.month_start[0])
    parts_amount.append(np.round(np.bincount(inverse, weights=total[missed]), 2) + cure_penalty)
    parts_penalty.append(cure_penalty)
    parts_type.append(np.full(keys.size, INSTALLMENT, np.int8))

    # Partial prepayments, on their day (before any re-cut installment falls due).
    pre = early.prepayments
    parts_loan.append(pre["loan"])
    parts_day.append(pre["day"])
    parts_amount.append(pre["amount"])
    parts_penalty.append(np.zeros(pre["day"].size))
    parts_type.append(np.full(pre["day"].size, PREPAYMENT, np.int8))

    out = {
        "loan": np.concatenate(parts_loan),
        "day": np.concatenate(parts_day),
        "amount": np.round(np.concatenate(parts_amount), 2),
        "penalty": np.round(np.concatenate(parts_penalty), 2),
        "type": np.concatenate(parts_type),
    }
    keep = (out["day"] <= cal.as_of) & (out["amount"] > 0)
    order = np.lexsort((out["loan"][keep], out["day"][keep]))
    out = {key: value[keep][order] for key, value in out.items()}
    out["secs"] = rng.integers(7 * 3600, 23 * 3600, order.size)
    return out
