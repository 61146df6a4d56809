"""Early repayment and penalty interest the way a lender's extract records them.

- A settlement (提前结清) pays what is due to the day, the principal still to fall due and the
  interest accrued on it since the last due date; the rest of the schedule's interest is
  waived. Most are typed `settlement`, the rest carry no type (the warehouse recognises them).
- A partial prepayment (部分提前还款): 6% of loans of 6 months or more prepay 30-70% of the
  principal still to fall due, 3-20 days after an installment, with the interest accrued on
  the prepaid part; the lender re-cuts the rest (half keep the term with smaller
  installments, half keep the installment size over a shorter term). The re-cut's rows carry
  `recut_on`; the original rows stay in the extract.
- Penalty interest (罚息) at 1.5 times the loan's rate accrues on what is paid late, by the
  day, and the late payment pays it (its `penalty_paid`).
Rates and days follow the warehouse's convention: simple interest by the day over 365 days,
rounded to the fen.
"""

from dataclasses import dataclass

import numpy as np

from . import codes as c
from .book import Book
from .calendar import Calendar
from .schedule import expand_schedule

DAY_BASIS = 365
PREPAY_SHARE = 0.06
SETTLEMENT_TYPED_SHARE = 0.8
PENALTY_MULTIPLE = 1.5
PENALTY_RATE_CAP = 0.54


def accrued(principal, annual_rate, days):
    """Simple interest by the day, rounded to the fen."""
    return np.round(np.asarray(principal) * annual_rate * days / DAY_BASIS, 2)


def penalty_rates(annual_rate: np.ndarray) -> np.ndarray:
    return np.round(np.minimum(annual_rate * PENALTY_MULTIPLE, PENALTY_RATE_CAP), 4)


@dataclass
class EarlyRepayment:
    """The schedule in force (original rows a re-cut did not replace, then the re-cuts' rows),
    the re-cut rows themselves (for the extract) and the prepayments."""

    in_force: dict  # loan, k, principal, interest (sorted by loan, k)
    recut_rows: dict  # loan, k, principal, interest, recut_day
    prepayments: dict  # loan, day, amount, k (the installment it follows)


def plan_prepayments(loans: dict, inst: dict, book: Book, cal: Calendar, rng) -> EarlyRepayment:
    """Pick the loans that prepay part of their principal and re-cut their schedules."""
    n = loans["principal"].size
    term, rate, method = loans["term"], loans["rate"], loans["method"]
    draw_m, draw_day = loans["month"], loans["day"]
    after = 1 + (rng.random(n) * np.maximum(term - 2, 1)).astype(np.int64)  # installment j
    share = rng.uniform(0.3, 0.7, n)
    delay = rng.integers(3, 21, n)
    keep_term = rng.random(n) < 0.5
    pick = (term >= 6) & (loans["payoff"] == 0) & (rng.random(n) < PREPAY_SHARE)

    # the day of the prepayment, inside the data, in a month the line pays on time
    month_j = draw_m + after
    recut_day = cal.same_day_later(draw_day, draw_m, np.minimum(after, term)) + delay
    pick &= (month_j < cal.months) & (recut_day <= cal.as_of)
    cust, slot = loans["cust"], loans["slot"]
    state = book.pay_state[cust, slot, np.minimum(month_j, cal.months - 1)]
    pick &= state == c.PAY_OK

    loan, k = inst["loan"], inst["k"]
    replaced = pick[loan] & (k > after[loan])
    remaining = np.bincount(loan, weights=np.where(replaced, inst["principal"], 0.0), minlength=n)
    prepaid = np.floor(remaining * share / 100) * 100
    pick &= (prepaid >= 100) & (prepaid < remaining)
    replaced = pick[loan] & (k > after[loan])

    idx = np.nonzero(pick)[0]
    left = np.round(remaining[idx] - prepaid[idx], 2)
    count = term[idx] - after[idx]
    count = np.where(
        keep_term[idx], count, np.maximum(1, np.round(count * left / remaining[idx]))
    ).astype(np.int64)
    r_loan, r_k, r_principal, r_interest = expand_schedule(left, count, rate[idx], method[idx])
    recut_rows = {
        "loan": idx[r_loan],
        "k": after[idx][r_loan] + r_k,
        "principal": r_principal,
        "interest": r_interest,
        "recut_day": recut_day[idx][r_loan],
    }
    in_force = {
        "loan": np.concatenate([loan[~replaced], recut_rows["loan"]]),
        "k": np.concatenate([k[~replaced], recut_rows["k"]]),
        "principal": np.concatenate([inst["principal"][~replaced], r_principal]),
        "interest": np.concatenate([inst["interest"][~replaced], r_interest]),
    }
    order = np.lexsort((in_force["k"], in_force["loan"]))
    in_force = {key: value[order] for key, value in in_force.items()}
    prepayments = {
        "loan": idx,
        "day": recut_day[idx],
        "amount": np.round(prepaid[idx] + accrued(prepaid[idx], rate[idx], delay[idx]), 2),
        "k": after[idx],
    }
    return EarlyRepayment(in_force, recut_rows, prepayments)
