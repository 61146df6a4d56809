"""Any var in its documented range builds green: a book of the demo's shape (36 months,
seed 42, 4,000 customers: a fifth of `make demo`'s, large enough for lines past 180 days)
is built with `dbt build` (every model, data test
and unit test) with the documented vars at the ends of their ranges, and the whole-population
identities still hold. A unit test that read a project var instead of setting its own would
turn these builds red."""

import duckdb
import pytest
from dbt_support import dbt_ok
from test_risk import roll_transitions_from_line_months

from creditline.generate import generate_portfolio

pytestmark = pytest.mark.integration

VAR_SETS = {
    # a lender that writes off at 90 days, calls 60+ DPD bad in the score and early-warning
    # targets, and measures PSI against a later baseline month
    "write_off_at_90": "{charge_off_dpd: 90, risk_bad_dpd: 60, ew_event_dpd: 60, "
    "risk_psi_baseline_month: '2024-06-01', "
    # exact settlements only, a 360-day year, principal paid before interest
    "settlement_tolerance_amount: 0, interest_day_basis: 360, "
    "allocation_order: [fees, penalty_interest, principal, interest]}",
    # one that writes off late, with the longest documented grace period and arrears tolerance
    "write_off_at_400": "{charge_off_dpd: 400, dpd_grace_days: 30, dpd_tolerance_amount: 10, "
    # a loose settlement tolerance and the highest penalty rate
    "settlement_tolerance_amount: 10, penalty_annual_rate: 0.54}",
}


@pytest.fixture(scope="module")
def demo_raw(tmp_path_factory):
    raw = tmp_path_factory.mktemp("demo_raw")
    generate_portfolio(raw, customers=4_000, start="2023-01", months=36, seed=42)
    return raw


@pytest.fixture(scope="module", params=list(VAR_SETS))
def built_with_vars(request, demo_raw, tmp_path_factory):
    work = tmp_path_factory.mktemp(request.param)
    db = work / "w.duckdb"
    dbt_ok(["build", "--vars", VAR_SETS[request.param]], db, demo_raw, work / "target")
    con = duckdb.connect(str(db), read_only=True)
    yield request.param, con
    con.close()


def test_the_build_with_vars_at_their_range_ends_is_green_and_keeps_whole_populations(
    built_with_vars,
):
    name, con = built_with_vars
    transitions = roll_transitions_from_line_months(con)
    denominators = transitions.group_by("month_start_on", "from_bucket").len()
    mart = con.sql(
        "select distinct month_start_on, from_bucket, from_bucket_line_count "
        "from risk.mart_roll_rates where product_code = 'all'"
    ).pl()
    joined = denominators.join(
        mart, on=["month_start_on", "from_bucket"], how="full", coalesce=True
    )
    assert joined.height > 0
    assert joined["len"].to_list() == joined["from_bucket_line_count"].to_list()
    # a line past 180 days stays un-written-off until 400 days: M7+ is a from-state there only
    has_m7 = "M7+" in set(mart["from_bucket"])
    assert has_m7 == (name == "write_off_at_400")
    written_off = con.sql(
        "select count(*) from core.fct_line_months where charged_off_principal_amount > 0"
    ).fetchall()[0][0]
    assert written_off > 0
