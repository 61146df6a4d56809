"""Installment schedules: equal installment (等额本息) and equal principal (等额本金)."""

import numpy as np

EQUAL_INSTALLMENT, EQUAL_PRINCIPAL = 0, 1


def expand_schedule(principal, term, annual_rate, method):
    """One row per installment, loans in order: (loan index, installment_no, principal, interest).

    Installments are rounded to cents and the last one absorbs the rounding, so a loan's
    principal parts sum exactly to its principal.
    """
    n = principal.size
    loan = np.repeat(np.arange(n), term)
    starts = np.cumsum(term) - term
    k = np.arange(loan.size) - np.repeat(starts, term) + 1
    p = principal[loan]
    t = term[loan]
    r = annual_rate[loan] / 12
    equal = method[loan] == EQUAL_INSTALLMENT
    growth = (1 + r) ** (k - 1)
    payment = np.round(p * r / (1 - (1 + r) ** (-t)), 2)
    flat = np.round(p / t, 2)
    balance = np.where(equal, p * growth - payment * (growth - 1) / r, p - (k - 1) * flat)
    interest = np.round(np.maximum(balance, 0) * r, 2)
    princ = np.where(equal, np.round(payment - interest, 2), flat)
    last = k == t
    body = np.bincount(loan, weights=np.where(last, 0.0, princ), minlength=n)
    princ = np.where(last, np.round(p - body[loan], 2), princ)
    return loan, k, princ, interest
