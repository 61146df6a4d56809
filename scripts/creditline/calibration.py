"""The synthetic book's calibration figures, read from a built warehouse (docs/calibration.md).

`python -m creditline.calibration [--db PATH]` prints them; tests/test_calibration.py asserts
the shapes on the test book. Every figure is read from the marts a risk team would use, so a
figure here is the figure on the report pages:

- roll shapes: mart_roll_rates (product 'all', complete months, pooled over months), by the
  bucket at the previous month-end: cure (to M0, or paid up), stay, forward (worse, or
  written off);
- 30+ and NPL (90+) ratios on balance: mart_portfolio_monthly, whole book, last complete month;
- annualized charge-off rate: written-off principal over the last 12 complete months over the
  average on-book balance at the month-ends before them;
- vintage ever-30+ at MOB 12 (by principal) and FPD30 (share of first installments still
  unpaid 30 days after due, fully observed vintages): mart_vintage_curves,
  mart_first_payment_delinquency;
- bad rate by score band: mart_score_band_performance, months with a full outcome window.
"""

import argparse
from pathlib import Path

import duckdb

from creditline.paths import warehouse_path

BUCKETS = ("M1", "M2", "M3", "M4", "M5", "M6")

_ROLLS = """
    with rows as (
        select * from risk.mart_roll_rates
        where product_code = 'all' and is_month_complete and from_bucket in {buckets}
    ),
    totals as (
        select from_bucket, sum(from_bucket_line_count) as line_count
        from (select distinct month_start_on, from_bucket, from_bucket_line_count from rows)
        group by from_bucket
    )
    select
        rows.from_bucket,
        coalesce(sum(line_count) filter (where to_bucket in ('M0', 'no_balance')), 0)
            / any_value(total) as cure_rate,
        coalesce(sum(line_count) filter (where to_bucket = rows.from_bucket), 0)
            / any_value(total) as stay_rate,
        coalesce(sum(line_count) filter (where to_state_order > from_state_order), 0)
            / any_value(total) as forward_rate,
        any_value(total) as line_count
    from rows
    inner join (select from_bucket, line_count as total from totals) using (from_bucket)
    group by rows.from_bucket
    order by rows.from_bucket
"""

_RATIOS = """
    with months as (
        select * from risk.mart_portfolio_monthly
        where grouping_level = 'total' and is_month_complete
    ),
    last as (select * from months order by month_start_on desc limit 1),
    year as (select * from months order by month_start_on desc limit 12)
    select
        (select dpd_30_plus_balance_rate from last),
        (select npl_ratio from last),
        (select sum(new_charged_off_principal_amount) / avg(receivable_1m_before_amount)
         from year)
"""

_VINTAGE = """
    select sum(ever_30_plus_principal_amount) / sum(principal_amount)
    from risk.mart_vintage_curves
    where product_code = 'all' and months_on_book = 12
"""

_FPD = """
    select sum(unpaid_30d_loan_count) / sum(observed_30d_loan_count)
    from risk.mart_first_payment_delinquency
    where product_code = 'all' and metric_name = 'FPD' and is_fully_observed_30d
"""

_BANDS = """
    select score_band, sum(bad_customer_count) / sum(customer_count) as bad_rate
    from risk.mart_score_band_performance
    where has_full_outcome_window
    group by score_band, band_order
    order by band_order
"""


def calibration_figures(con: duckdb.DuckDBPyConnection) -> dict:
    """Every figure of the calibration table, from a built warehouse."""
    rolls = {
        bucket: {"cure": cure, "stay": stay, "forward": forward, "lines": int(lines)}
        for bucket, cure, stay, forward, lines in con.sql(_ROLLS.format(buckets=BUCKETS)).fetchall()
    }
    dpd_30, npl, charge_off = con.sql(_RATIOS).fetchall()[0]
    return {
        "rolls": rolls,
        "dpd_30_plus_balance_rate": dpd_30,
        "npl_ratio": npl,
        "annualized_charge_off_rate": float(charge_off or 0.0),
        "vintage_ever_30_plus_mob12": con.sql(_VINTAGE).fetchall()[0][0],
        "fpd30": con.sql(_FPD).fetchall()[0][0],
        "bad_rate_by_score_band": dict(con.sql(_BANDS).fetchall()),
    }


def render(figures: dict) -> str:
    lines = ["bucket  cure    stay    forward  lines"]
    for bucket, r in figures["rolls"].items():
        lines.append(
            f"{bucket:<7} {r['cure']:6.1%}  {r['stay']:6.1%}  {r['forward']:6.1%}  {r['lines']:>7,}"
        )
    for name in (
        "dpd_30_plus_balance_rate",
        "npl_ratio",
        "annualized_charge_off_rate",
        "vintage_ever_30_plus_mob12",
        "fpd30",
    ):
        lines.append(f"{name}: {figures[name]:.2%}")
    bands = ", ".join(f"{b} {r:.1%}" for b, r in figures["bad_rate_by_score_band"].items())
    lines.append(f"bad rate by score band: {bands}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="warehouse (default: CREDITLINE_DB)")
    args = parser.parse_args()
    con = duckdb.connect(str(args.db or warehouse_path()), read_only=True)
    try:
        print(render(calibration_figures(con)))
    finally:
        con.close()


if __name__ == "__main__":
    main()
