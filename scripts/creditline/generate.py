"""Synthetic portfolio generator: writes the raw data contract (README.md, "The raw data contract").

Customers are simulated in chunks through the whole period, month by month and vectorised
over the chunk (see `creditline.synth`); each chunk's files are written as it finishes, so
memory stays bounded by `chunk_size`.
"""

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .errors import CreditlineError
from .synth.calendar import Calendar
from .synth.dirty import DIRTY_RULES, add_dirty_rows
from .synth.early import plan_prepayments
from .synth.people import draw_people
from .synth.profile import DEFAULT_PROFILE, PROFILES
from .synth.repay import build_repayments
from .synth.simulate import simulate_chunk
from .synth.tables import TABLES, build_tables, write_partitions

__all__ = ["DIRTY_RULES", "TABLES", "generate_portfolio"]

_START = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _check_arguments(customers, start, months, dirty_rate, chunk_size, profile) -> None:
    if not isinstance(customers, int) or customers < 1:
        raise CreditlineError(f"customers must be a whole number >= 1, got {customers!r}")
    if not isinstance(months, int) or not 1 <= months <= 120:
        raise CreditlineError(f"months must be between 1 and 120, got {months!r}")
    match = _START.match(start) if isinstance(start, str) else None
    if match is None or not 1970 <= int(match.group(1)) <= 2200:
        raise CreditlineError(f"start must be a month like 2023-01, got {start!r}")
    if not 0.0 <= float(dirty_rate) <= 0.5:
        raise CreditlineError(f"dirty_rate must be between 0 and 0.5, got {dirty_rate!r}")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise CreditlineError(f"chunk_size must be a whole number >= 1, got {chunk_size!r}")
    if profile not in PROFILES:
        raise CreditlineError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")


def _prepare(out_dir: Path) -> None:
    """Make out_dir, check it is writable and remove the eight raw table folders (only those)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir):
            pass
        for name in TABLES:
            if (out_dir / name).is_dir():
                shutil.rmtree(out_dir / name)
    except OSError as exc:
        raise CreditlineError(f"cannot write to {out_dir}: {exc.strerror or exc}") from exc


def generate_portfolio(
    out_dir: Path,
    *,
    customers: int = 20_000,
    start: str = "2023-01",
    months: int = 36,
    seed: int = 42,
    dirty_rate: float = 0.0,
    chunk_size: int = 50_000,
    profile: str = DEFAULT_PROFILE,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Writes the raw contract under out_dir; returns rows written per table. `profile`
    picks the book's calibration (synth/profile.py, docs/calibration.md)."""
    _check_arguments(customers, start, months, dirty_rate, chunk_size, profile)
    out_dir = Path(out_dir)
    _prepare(out_dir)
    cal = Calendar.build(start, months)
    n_chunks = -(-customers // chunk_size)
    total = n_chunks * (months + 1)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    counts = dict.fromkeys(TABLES, 0)
    for chunk in range(n_chunks):
        first = chunk * chunk_size
        size = min(chunk_size, customers - first)
        rng = np.random.default_rng([seed, chunk])
        people = draw_people(size, first + 1, cal, rng)
        history = simulate_chunk(people, cal, rng, tick, PROFILES[profile])
        early = plan_prepayments(history.loans, history.installments, history.book, cal, rng)
        repayments = build_repayments(history.loans, early, history.book, cal, rng)
        tables = build_tables(people, history, repayments, early.recut_rows, cal, chunk)
        del history, repayments, early
        extras = {}
        if dirty_rate > 0:
            dirty_rng = np.random.default_rng([seed, chunk, 1])
            tables, extras = add_dirty_rows(tables, dirty_rate, dirty_rng, cal, chunk)
        part = f"part-{chunk:05d}"
        for name in TABLES:
            empty_day = cal.as_of if chunk == n_chunks - 1 and counts[name] == 0 else None
            counts[name] += write_partitions(out_dir, name, tables[name], part, empty_day)
            if name in extras:
                counts[name] += write_partitions(out_dir, name, extras[name], f"{part}-types")
        tick()
    return counts
