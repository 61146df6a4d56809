"""Month-by-month simulation of one chunk of customers, vectorised over the chunk.

Each month: lines open, each line's repayment behaviour is drawn (on time, late, missed,
part paid, cured, charged off; profile.py), open lines draw down, customers are scored and
shop at other lenders, and the risk engine reviews every line at month-end.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import codes as c
from .book import Book, Log, event_log
from .calendar import Calendar
from .engine import month_end_review
from .people import People
from .profile import DEFAULT_PROFILE, PROFILES, Profile
from .schedule import EQUAL_PRINCIPAL, expand_schedule

_TERMS = np.array([3, 6, 12])

# Planted effects of a cut or closure by risk (read back by the lifecycle marts and asserted
# in tests/test_questions_matched.py):
# - the direct score effect of a closure (mart_closure_score_effect): a closure by risk in
#   month m adds CLOSURE_DENT_POINTS to the customer's `closure_dent`, which fades by
#   CLOSURE_DENT_FADE every month whatever the customer does and enters `_score`; the score
#   of month m + h (h >= 1) therefore carries -15 * 0.9 ** (h - 1) points for it: -12.15 at
#   3 months, -8.86 at 6, -4.71 at 12. A closure no longer dents `adj` (a cut still does).
# - more inquiries elsewhere after a cut or closure (mart_post_closure_credit_seeking): a
#   Poisson rate of SHOPPING_BOOST more inquiries a month at other lenders in each of the
#   SHOPPING_BOOST_MONTHS months after the month of the cut (m + 1 to m + 3), on top of the
#   customer's baseline rate; each inquiry at another lender lowers the next month's score
#   by SHOPPING_SCORE_POINTS (up to 8 inquiries), a second channel from closure to score
#   (about -4.2 points at months m + 2 to m + 4).
CLOSURE_DENT_POINTS = -15.0
CLOSURE_DENT_FADE = 0.9
SHOPPING_BOOST = 1.4
SHOPPING_BOOST_MONTHS = 3
SHOPPING_SCORE_POINTS = 3


@dataclass
class History:
    """What the simulation of a chunk produced, ready to become tables."""

    book: Book
    events: dict[str, np.ndarray]
    loans: dict[str, np.ndarray]
    installments: dict[str, np.ndarray]
    inquiries: dict[str, np.ndarray]


def simulate_chunk(
    people: People,
    cal: Calendar,
    rng: np.random.Generator,
    tick: Callable[[], None],
    profile: Profile = PROFILES[DEFAULT_PROFILE],
) -> History:
    """Run the whole period for one chunk of customers."""
    months = cal.months
    book = Book(people.size, months, months + 14)
    events = event_log()
    loans = Log(
        "cust", "slot", "month", "day", "secs", "principal", "term", "rate", "method", "payoff"
    )
    inst = Log("loan", "k", "principal", "interest")
    inquiries = Log("cust", "day", "secs", "institution")
    n_loans = 0
    for m in range(months):
        _open_lines(book, people, cal, m, rng, events)
        book.out += book.delta[:, :, m]
        state = _behaviour(book, people, cal, m, rng, profile)
        n_loans = _draw(book, people, cal, m, rng, loans, inst, inquiries, n_loans)
        _score(book, people, m, rng)
        _shop(book, people, cal, m, rng, inquiries)
        cut, closed = month_end_review(book, people, cal, m, rng, events)
        _adjust_score(book, state, cut, closed, m)
        tick()
    return History(book, events.arrays(), loans.arrays(), inst.arrays(), inquiries.arrays())


def _initial_limit(people: People, book: Book, idx: np.ndarray) -> np.ndarray:
    score = people.score_base[idx] + book.adj[idx]
    raw = people.limit_scale[idx] * np.clip((score - 470) / 190, 0.3, 2.2)
    return np.clip(np.round(raw / 100) * 100, 1_000, 50_000)


def _open(book: Book, log: Log, idx, slot, product, day, secs, limit, m) -> None:
    book.status[idx, slot] = c.LINE_OPEN
    book.product[idx, slot] = product
    book.limit[idx, slot] = limit
    book.initial_limit[idx, slot] = limit
    book.open_month[idx, slot] = m
    book.open_day[idx, slot] = day
    book.open_secs[idx, slot] = secs
    book.last_use[idx, slot] = m
    log.add(
        idx.size,
        cust=idx,
        slot=slot,
        day=day,
        secs=secs,
        etype=c.OPEN,
        before=0.0,
        after=limit,
        reason=c.NEW_LINE,
        initiator=c.SYSTEM,
    )


def _open_lines(book: Book, people: People, cal: Calendar, m: int, rng, log: Log) -> None:
    """First lines open when the customer registers; second lines some months later."""
    new = np.nonzero(people.created_month == m)[0]
    secs = people.created_secs[new] + rng.integers(300, 1800, new.size)
    _open(
        book,
        log,
        new,
        0,
        people.first_product[new],
        people.created_day[new],
        secs,
        _initial_limit(people, book, new),
        m,
    )
    due = (people.second_gap > 0) & (people.created_month + people.second_gap == m)
    healthy = ~book.fraud & ~book.charged[:, 0] & (book.arrears_start[:, 0] < 0)
    idx = np.nonzero(due & healthy & (people.score_base + book.adj >= 500))[0]
    day = cal.month_start[m] + (rng.random(idx.size) * cal.month_len[m]).astype(np.int64)
    _open(
        book,
        log,
        idx,
        1,
        1 - people.first_product[idx],
        day,
        rng.integers(8 * 3600, 21 * 3600, idx.size),
        _initial_limit(people, book, idx),
        m,
    )


@dataclass
class _MonthState:
    missed: np.ndarray  # lines that started arrears this month
    late: np.ndarray
    arrears: np.ndarray  # lines in arrears this month (including fresh)
    cured: np.ndarray
    charged_now: np.ndarray


def _behaviour(
    book: Book, people: People, cal: Calendar, m: int, rng, profile: Profile
) -> _MonthState:
    """Draw each line's repayment behaviour for the installments due this month.

    A line in arrears each month cures (pays everything: less likely the deeper it is and the
    longer it has been paying only part), pays this month's due and stays in its bucket, or
    pays nothing and rolls a month deeper; six months behind it is charged off.
    """
    n = people.size
    arrears = book.arrears_start >= 0
    charged_now = arrears & ~book.charged & (book.depth >= 6)
    book.charged |= charged_now
    owing = arrears & ~book.charged
    depth = np.maximum(book.depth, 1)
    u = rng.random((n, 2))
    p_cure = profile.cure(people.risk_z[:, None], depth, book.stayed)
    cured = owing & (u < p_cure)
    partial = owing & ~cured & (u < p_cure + profile.stays(depth))

    opened = book.status != c.NO_LINE
    fresh = opened & ~arrears & book.has_due[:, :, m]
    reopened = (m - book.reopen_month) <= 12
    p_miss = profile.miss_scale * people.pd_month[:, None]
    p_miss = p_miss * (1 + 2.5 * np.minimum(book.misses, 4))[:, None]
    p_miss = np.minimum(p_miss * np.where(reopened, 1.6, 1.0), 0.6)
    p_late = 0.006 + 0.5 * p_miss
    shared = rng.random((n, 2)) < 0.65
    draw = np.where(shared, rng.random(n)[:, None], rng.random((n, 2)))
    missed = fresh & (draw < p_miss)
    late = fresh & ~missed & (draw < p_miss + p_late)

    state = np.full((n, 2), c.PAY_OK, np.int8)
    state[late] = c.PAY_LATE
    state[owing | missed] = c.PAY_ARREARS
    state[partial] = c.PAY_PARTIAL
    state[cured] = c.PAY_CURE
    state[book.charged] = c.PAY_CHARGED_OFF
    book.pay_state[:, :, m] = state
    cure_day = cal.month_start[m] + (rng.random((n, 2)) * cal.month_len[m]).astype(np.int64)
    book.cure_day[:, :, m] = np.where(cured, cure_day, 0)

    rolled = owing & ~cured & ~partial
    book.depth = np.where(cured, 0, np.where(missed, 1, book.depth + rolled)).astype(np.int16)
    book.stayed = np.where(
        owing & partial, book.stayed + 1, np.where(cured | missed, 0, book.stayed)
    )
    book.stayed = book.stayed.astype(np.int16)
    book.arrears_start[cured] = -1
    book.arrears_start[missed] = m
    book.episodes += (missed | late).any(axis=1)
    book.misses += missed.any(axis=1)
    clean = (state == c.PAY_OK) & (book.arrears_start < 0)
    book.clean = np.where(clean, book.clean + 1, 0).astype(np.int16)
    return _MonthState(missed, late, (owing & ~cured) | missed, cured, charged_now)


def _draw(book, people, cal, m, rng, loans: Log, inst: Log, inquiries: Log, n_loans: int) -> int:
    """Drawdowns of open lines: at most one a line a month, up to the available limit."""
    n = people.size
    length = int(cal.month_len[m])
    first_month = book.open_month == m
    lo = np.where(first_month, book.open_day - cal.month_start[m] + 1, 0)
    eligible = (book.status == c.LINE_OPEN) & ~book.charged & (lo < length)
    p = people.propensity[:, None] * np.where(book.product == 1, 1.1, 0.9)
    available = np.floor((book.limit - book.out) / 100) * 100
    go = eligible & (rng.random((n, 2)) < np.minimum(p, 0.97)) & (available >= 100)
    ci, si = np.nonzero(go)
    size = ci.size
    if size == 0:
        return n_loans
    maxer = people.maxer[ci]
    avail = available[ci, si]
    principal = np.minimum(
        np.maximum(np.round(avail * rng.beta(1.3, 3.0, size) / 100) * 100, 100), avail
    )
    principal = np.where(maxer, avail, principal)
    low = lo[ci, si]
    dom = low + (rng.random(size) * (length - low)).astype(np.int64)
    pref = people.pref_day[ci]
    dom = np.where(maxer & (pref >= low), pref, dom)
    day = cal.month_start[m] + dom
    secs = np.where(
        maxer, rng.integers(20 * 3600, 23 * 3600, size), rng.integers(9 * 3600, 23 * 3600, size)
    )
    consumer = book.product[ci, si] == 1
    term_draw = rng.random(size)
    term = np.where(
        consumer,
        _TERMS[np.searchsorted([0.45, 0.75], term_draw, "right")],
        _TERMS[np.searchsorted([0.2, 0.55], term_draw, "right")],
    )
    z = people.risk_z[ci] + rng.normal(0, 0.4, size)
    rate = np.round(0.073 + 0.167 / (1 + np.exp(-(1.4 * z - 0.4))), 4)
    method = (rng.random(size) < 0.18).astype(np.int8) * EQUAL_PRINCIPAL
    early = (term >= 6) & (rng.random(size) < 0.12)
    payoff = np.where(early, 2 + (rng.random(size) * (term - 2)).astype(np.int64), 0)

    loan, k, princ, interest = expand_schedule(principal, term, rate, method)
    stop = np.where(payoff[loan] > 0, np.minimum(k, payoff[loan]), k)
    lc, ls = ci[loan], si[loan]
    np.add.at(book.delta, (lc, ls, m + stop), -princ)
    book.has_due[lc, ls, m + stop] = True
    book.out[ci, si] += principal
    book.last_use[ci, si] = m

    loans.add(
        size,
        cust=ci,
        slot=si,
        month=m,
        day=day,
        secs=secs,
        principal=principal,
        term=term,
        rate=rate,
        method=method,
        payoff=payoff,
    )
    inst.add(loan.size, loan=loan + n_loans, k=k, principal=princ, interest=interest)
    asked = rng.random(size) < 0.6
    inquiries.add(
        int(asked.sum()),
        cust=ci[asked],
        day=day[asked],
        secs=secs[asked] - rng.integers(60, 900, int(asked.sum())),
        institution=c.OWN_PLATFORM,
    )
    return n_loans + size


def _score(book: Book, people: People, m: int, rng) -> None:
    """The month's score (scored before the month-end review): latent level, behaviour
    adjustment, the fading dent of earlier closures, last month's shopping, noise."""
    shopping = book.inq_other[:, m - 1] if m > 0 else 0
    raw = people.score_base + book.adj + book.closure_dent
    raw = raw - SHOPPING_SCORE_POINTS * np.minimum(shopping, 8)
    raw = raw + rng.normal(0, 7, people.size)
    score = np.clip(np.round(raw), 350, 950)
    book.scores[:, m] = np.where(people.created_month <= m, score, 0)


_INQUIRY_P = np.cumsum([0.15, 0.2, 0.25, 0.3, 0.1])


def _shop(book: Book, people: People, cal: Calendar, m: int, rng, inquiries: Log) -> None:
    """Inquiries at other lenders: the customer's baseline rate, plus SHOPPING_BOOST (1.4) a
    month in the SHOPPING_BOOST_MONTHS (3) months after a cut or closure by risk (the
    planted "borrowing elsewhere after a cut to zero or a closure")."""
    active = people.created_month <= m
    rate = people.inquiry_rate + np.where(book.boost_until >= m, SHOPPING_BOOST, 0.0)
    count = np.where(active, rng.poisson(rate), 0)
    book.inq_other[:, m] = count
    cust = np.repeat(np.arange(people.size), count)
    start = np.maximum(cal.month_start[m], people.created_day[cust])
    end = cal.month_start[m + 1]
    day = start + (rng.random(cust.size) * (end - start)).astype(np.int64)
    institution = np.searchsorted(_INQUIRY_P, rng.random(cust.size) * _INQUIRY_P[-1])
    inquiries.add(
        cust.size,
        cust=cust,
        day=day,
        secs=rng.integers(8 * 3600, 22 * 3600, cust.size),
        institution=institution,
    )


def _adjust_score(
    book: Book, state: _MonthState, cut: np.ndarray, closed: np.ndarray, m: int
) -> None:
    """Dents for misses, late payments and limit cuts in `adj`: slow rebuild while clean,
    faster after a cure. A closure by risk sets its own dent, `closure_dent`, which fades by
    a fixed factor every month regardless of behaviour (CLOSURE_DENT_POINTS, _FADE)."""
    missed = state.missed.any(axis=1)
    owing = (state.arrears & ~state.missed).any(axis=1)
    late = state.late.any(axis=1)
    cured = state.cured.any(axis=1)
    clean = ~(missed | owing | late)
    adj = book.adj * np.where(clean, np.where(cured, 0.3, 0.85), 1.0)
    adj -= 45 * missed + 12 * owing + 20 * late + 20 * cut + 60 * state.charged_now.any(axis=1)
    book.adj = np.maximum(adj, -300)
    book.closure_dent = book.closure_dent * CLOSURE_DENT_FADE + CLOSURE_DENT_POINTS * closed
    book.boost_until = np.where(cut | closed, m + SHOPPING_BOOST_MONTHS, book.boost_until)
