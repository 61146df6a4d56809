"""Customers of one chunk: static attributes, arrival month and latent behaviour drivers."""

from dataclasses import dataclass

import numpy as np

from .calendar import Calendar

OCCUPATIONS = ("salaried", "self_employed", "civil_servant", "student", "freelancer", "retired")
INCOME_BANDS = ("under_5k", "5k_10k", "10k_20k", "over_20k")
CHANNELS = ("app", "merchant", "partner", "campaign")

_OCCUPATION_P = (0.50, 0.15, 0.07, 0.08, 0.13, 0.07)
# Income band odds per occupation (rows follow OCCUPATIONS).
_INCOME_P = np.array(
    [
        [0.25, 0.42, 0.24, 0.09],
        [0.30, 0.33, 0.22, 0.15],
        [0.15, 0.45, 0.30, 0.10],
        [0.85, 0.13, 0.02, 0.00],
        [0.45, 0.35, 0.14, 0.06],
        [0.60, 0.30, 0.08, 0.02],
    ]
)
_INCOME_RISK = np.array([0.35, 0.05, -0.20, -0.40])
_INCOME_LIMIT = np.array([3_000.0, 7_000.0, 14_000.0, 24_000.0])


@dataclass
class People:
    """One chunk of customers; arrays indexed by position in the chunk."""

    first_number: int  # global number of the chunk's first customer (1-based ids)
    created_month: np.ndarray
    created_day: np.ndarray  # day number
    created_secs: np.ndarray
    birth_year: np.ndarray
    city_tier: np.ndarray
    occupation: np.ndarray  # codes into OCCUPATIONS
    income: np.ndarray  # codes into INCOME_BANDS
    channel: np.ndarray
    risk_z: np.ndarray  # latent risk, higher is worse
    pd_month: np.ndarray  # base monthly probability to miss a due installment
    propensity: np.ndarray  # monthly drawdown probability per open line
    maxer: np.ndarray  # draws the whole available limit every month
    inquiry_rate: np.ndarray  # baseline monthly inquiries at other lenders
    score_base: np.ndarray
    score_day: np.ndarray  # 0-based day of month of the monthly scoring
    first_product: np.ndarray  # 0 CASH, 1 CONSUMER
    second_gap: np.ndarray  # months until the second line, -1 for single-line customers
    pref_day: np.ndarray  # 0-based day of month a maxer draws on
    limit_scale: np.ndarray

    @property
    def size(self) -> int:
        return self.created_month.size


def _categorical(rng: np.random.Generator, p, size: int) -> np.ndarray:
    return np.searchsorted(np.cumsum(p), rng.random(size) * np.sum(p)).astype(np.int8)


def draw_people(n: int, first_number: int, cal: Calendar, rng: np.random.Generator) -> People:
    """Draw n customers: about half exist in the first month, the rest arrive over the period."""
    months = cal.months
    initial = rng.random(n) < 0.5
    growth = np.arange(1, months, dtype=float) ** 0.5 if months > 1 else np.ones(1)
    later = np.searchsorted(np.cumsum(growth) / growth.sum(), rng.random(n)) + 1
    created_month = np.where(initial | (months == 1), 0, np.minimum(later, months - 1))
    created_day = cal.month_start[created_month] + (
        rng.random(n) * cal.month_len[created_month]
    ).astype(np.int64)
    created_secs = rng.integers(8 * 3600, 21 * 3600, n)

    start_year = int(str(np.datetime64(int(cal.month_start[0]), "D"))[:4])
    age = np.clip(np.round(rng.lognormal(np.log(31), 0.28, n)), 18, 75)
    birth_year = np.clip(start_year - age, 1940, 2008).astype(np.int32)
    city_tier = (_categorical(rng, (0.16, 0.30, 0.30, 0.24), n) + 1).astype(np.int32)
    occupation = _categorical(rng, _OCCUPATION_P, n)
    cum = np.cumsum(_INCOME_P[occupation], axis=1)
    income = (rng.random(n)[:, None] > cum).sum(axis=1).clip(0, 3).astype(np.int8)
    channel = _categorical(rng, (0.55, 0.20, 0.15, 0.10), n)

    risk_z = rng.normal(0, 1, n) + _INCOME_RISK[income] + 0.3 * (occupation == 3)
    risk_z += 0.15 * (channel == 3)
    pd_month = 1 / (1 + np.exp(5.3 - 1.1 * risk_z))
    segment = rng.random(n)
    maxer = segment < 0.07
    dormant = (segment >= 0.07) & (segment < 0.15)
    propensity = np.where(
        maxer, 0.97, np.where(dormant, rng.random(n) * 0.04, 0.15 + 0.8 * rng.beta(2.2, 2.0, n))
    )
    inquiry_rate = rng.lognormal(np.log(0.18), 0.6, n) * np.where(rng.random(n) < 0.05, 6, 1)
    score_base = np.clip(665 - 55 * risk_z + rng.normal(0, 22, n), 420, 900)
    second = rng.random(n) < 0.35
    second_gap = np.where(second, np.minimum(1 + rng.geometric(0.2, n), 24), -1)
    return People(
        first_number=first_number,
        created_month=created_month.astype(np.int64),
        created_day=created_day,
        created_secs=created_secs,
        birth_year=birth_year,
        city_tier=city_tier,
        occupation=occupation,
        income=income,
        channel=channel,
        risk_z=risk_z,
        pd_month=pd_month,
        propensity=propensity,
        maxer=maxer,
        inquiry_rate=inquiry_rate,
        score_base=score_base,
        score_day=rng.integers(0, 28, n),
        first_product=(rng.random(n) >= 0.65).astype(np.int8),
        second_gap=second_gap,
        pref_day=rng.integers(0, 28, n),
        limit_scale=_INCOME_LIMIT[income] * rng.lognormal(0, 0.45, n),
    )
