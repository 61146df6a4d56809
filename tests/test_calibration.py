"""The synthetic book behaves like an unsecured consumer book (docs/calibration.md): checked
on the test book (3,000 customers, 24 months, the standard profile), whose figures are
noisier than the demo book's; the demo-size figures and their sources are in the calibration
table. A property of the generator, read from the marts as a risk analyst would."""

import duckdb
import pytest

from creditline.calibration import calibration_figures
from creditline.generate import generate_portfolio
from creditline.synth.profile import PROFILES

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def figures(built_warehouse):
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        return calibration_figures(con)
    finally:
        con.close()


def test_cure_falls_with_depth_and_is_rare_from_90_days(figures):
    cure = [figures["rolls"][bucket]["cure"] for bucket in ("M1", "M2", "M3", "M4")]
    assert cure == sorted(cure, reverse=True) and len(set(cure)) == 4, cure
    assert 0.6 <= cure[0] <= 0.9
    assert all(figures["rolls"][b]["cure"] <= 0.10 for b in ("M4", "M5", "M6"))


def test_lines_stay_in_their_bucket_and_roll_forward_more_with_depth(figures):
    rolls = figures["rolls"]
    assert all(rolls[b]["stay"] >= 0.08 for b in ("M2", "M3")), rolls
    forward = [rolls[b]["forward"] for b in ("M1", "M2", "M3")]
    assert forward == sorted(forward), forward
    assert rolls["M6"]["forward"] >= 0.85


def test_headline_ratios_are_in_the_consumer_finance_ranges(figures):
    # ranges a little wider than the demo book's targets: a smaller book, 24 months
    assert 0.005 <= figures["dpd_30_plus_balance_rate"] <= 0.04
    assert 0.002 <= figures["npl_ratio"] <= 0.025
    assert 0.005 <= figures["annualized_charge_off_rate"] <= 0.08
    assert 0.01 <= figures["vintage_ever_30_plus_mob12"] <= 0.10
    assert 0.003 <= figures["fpd30"] <= 0.025


def test_bad_rates_fall_as_score_bands_rise(figures):
    bands = [rate for band, rate in figures["bad_rate_by_score_band"].items() if band != "all"]
    assert len(bands) >= 4
    assert bands == sorted(bands, reverse=True), bands


def test_the_profiles_order_the_books_by_risk(tmp_path):
    """A raw-file check, no build: prime misses less than standard, standard than subprime."""
    assert list(PROFILES) == ["prime", "standard", "subprime"]
    scales = [profile.miss_scale for profile in PROFILES.values()]
    assert scales == sorted(scales)
    rates = []
    for name in PROFILES:
        raw = tmp_path / name
        generate_portfolio(raw, customers=800, months=12, seed=1, profile=name)
        rates.append(
            duckdb.sql(
                f"select avg((penalty_paid > 0)::int) from read_parquet('{raw}/repayments/*/*')"
            ).fetchall()[0][0]
        )
    assert rates == sorted(rates), rates
