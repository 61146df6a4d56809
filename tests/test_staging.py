"""Staging: every raw row is either accepted into stg_<table> or quarantined with the first
rule it breaks, never lost; bad input never stops the run, an unreadable file does.

One dbt build of a hand-made extract (raw_fixtures) per session: one row per rule, good
rows, late rows, duplicates across loads, an all-string ("wrong type") Parquet file and a
CSV file.
"""

from pathlib import Path

import duckdb
import pytest
from dbt_support import dbt_ok
from raw_fixtures import valid_extract, write_corrupt_parquet, write_raw, write_table

from creditline.dbt_runner import run_dbt

pytestmark = pytest.mark.integration  # builds hand-made books with dbt

FIRST_LOAD = "2024-01-31"
LATER_LOAD = "2024-02-29"
STAGING = ["build", "--select", "+stg_quarantined_rows", "+stg_row_reconciliation"]


def first_load() -> dict[str, list[dict]]:
    """The valid extract plus one row per rule (ids name the rule they break)."""
    tables = valid_extract()
    add = {table: rows.append for table, rows in tables.items()}
    customer = tables["customers"][0]
    # customers
    add["customers"]({**customer, "customer_id": None, "created_at": "1999-09-09 09:09:09"})
    add["customers"]({**customer, "customer_id": "C_MISSING_REQUIRED", "created_at": None})
    add["customers"]({**customer, "customer_id": "C_OUT_OF_RANGE", "birth_year": 1900})
    add["customers"]({**customer, "customer_id": "C_UNKNOWN_CODE", "channel": "tv"})
    add["customers"](dict(customer))  # an exact duplicate of C1
    # Rows that break two rules get the first in the documented order.
    add["customers"](
        {**customer, "customer_id": "C_RANGE_AND_CODE", "birth_year": 1900, "channel": "tv"}
    )
    # credit_lines
    line = tables["credit_lines"][0]
    add["credit_lines"]({**line, "line_id": "L_NEGATIVE_AMOUNT", "initial_limit": "-5.00"})
    add["credit_lines"]({**line, "line_id": "L_OUT_OF_RANGE", "initial_limit": "0"})
    add["credit_lines"]({**line, "line_id": "L_UNKNOWN_CODE", "product_code": "GOLD"})
    add["credit_lines"]({**line, "line_id": "L_ORPHAN", "customer_id": "C404"})
    # L3: its open event comes four days after opened_at, an increase before it
    add["credit_lines"]({**line, "line_id": "L3", "opened_at": "2023-03-01 10:00:00"})
    add["credit_lines"](
        {**line, "line_id": "L_ORPHAN_OF_QUARANTINED", "customer_id": "C_UNKNOWN_CODE"}
    )

    # limit_events: L1 opened 2023-01-06, L2 opened 2023-02-11
    def event(event_id, line_id, at, event_type, **other):
        return {
            "event_id": event_id,
            "line_id": line_id,
            "event_at": at,
            "event_type": event_type,
            "limit_before": "20000",
            "limit_after": "20000",
            "reason_code": "PERIODIC_REVIEW",
            "initiated_by": "system",
            **other,
        }

    at_9000 = {"limit_before": "9000", "limit_after": "9000"}
    for row in [
        event("E_BEFORE_OPENED", "L1", "2023-01-01 00:00:00", "increase"),
        event("E_BEFORE_OPEN_EVENT", "L3", "2023-03-02 00:00:00", "increase"),
        event("E3", "L3", "2023-03-05 00:00:00", "open", limit_before="0", reason_code="NEW_LINE"),
        event("E_SECOND_OPEN", "L1", "2023-03-01 00:00:00", "open"),
        event(
            "E_CLOSE",
            "L1",
            "2023-06-01 00:00:00",
            "close",
            limit_after="0",
            reason_code="RISK_REVIEW",
        ),
        event("E_AFTER_CLOSE", "L1", "2023-06-15 00:00:00", "increase"),
        event(
            "E_REOPEN",
            "L1",
            "2023-07-01 00:00:00",
            "reopen",
            limit_before="0",
            reason_code="REOPEN_CAMPAIGN",
        ),
        event("E_REOPEN_AGAIN", "L1", "2023-08-01 00:00:00", "reopen"),
        event("E_UNFREEZE_UNFROZEN", "L2", "2023-03-01 00:00:00", "unfreeze"),
        # L2's limit is 9000 from E_LATE (second load, 2023-02-20) on
        event("E_FREEZE", "L2", "2023-04-01 00:00:00", "freeze", **at_9000, reason_code="OVERDUE"),
        event(
            "E_UNFREEZE",
            "L2",
            "2023-05-01 00:00:00",
            "unfreeze",
            **at_9000,
            reason_code="GOOD_BEHAVIOUR",
        ),
        # a limit before that is not L2's limit, one event building on it, then one that
        # starts from L2's real limit again
        event(
            "E_BROKEN_CHAIN",
            "L2",
            "2023-05-06 00:00:00",
            "increase",
            limit_before="5000",
            limit_after="12000",
        ),
        event(
            "E_BUILDS_ON_BROKEN",
            "L2",
            "2023-05-07 00:00:00",
            "decrease",
            limit_before="12000",
            limit_after="11000",
        ),
        event(
            "E_CHAIN_RESUMES",
            "L2",
            "2023-05-08 00:00:00",
            "increase",
            limit_before="9000",
            limit_after="10000",
        ),
        event("E_UNKNOWN_CODE", "L2", "2023-05-02 00:00:00", "increase", reason_code="BORED"),
        event("E_NEGATIVE_AMOUNT", "L2", "2023-05-03 00:00:00", "decrease", limit_after="-1"),
        event("E_ORPHAN", "L404", "2023-05-04 00:00:00", "increase"),
    ]:
        add["limit_events"](row)
    add["limit_events"](
        event("E_NEGATIVE_AND_CODE", "L2", "2023-05-05 00:00:00", "teleport", limit_after="-1")
    )
    # loans: N1 on L1 drawn 2023-03-01, term 3
    loan = tables["loans"][0]
    add["loans"]({**loan, "loan_id": "N2", "line_id": "L2", "drawn_at": "2023-05-10 09:00:00"})
    add["loans"]({**loan, "loan_id": "N_MISSING_REQUIRED", "line_id": None})
    add["loans"]({**loan, "loan_id": "N_OUT_OF_RANGE", "annual_rate": 0.5})
    add["loans"]({**loan, "loan_id": "N_ZERO_PRINCIPAL", "principal": "0"})
    add["loans"]({**loan, "loan_id": "N_UNKNOWN_CODE", "term_months": 5})
    add["loans"]({**loan, "loan_id": "N_ORPHAN", "line_id": "L404"})
    add["loans"]({**loan, "loan_id": "N_REQUIRED_AND_CODE", "annual_rate": None, "term_months": 5})
    add["loans"]({**loan, "loan_id": "N_NEGATIVE_AND_RANGE", "principal": "-1", "annual_rate": 0.5})
    # installments
    installment = tables["installments"][0]
    add["installments"]({**installment, "loan_id": None, "due_date": "1999-09-09"})
    add["installments"]({**installment, "installment_no": 2, "interest_due": "-1.00"})
    add["installments"]({**installment, "installment_no": 4})
    add["installments"]({**installment, "loan_id": "N404"})
    add["installments"]({**installment, "loan_id": "N2", "due_date": "2023-05-10"})
    add["installments"]({**installment, "installment_no": 9, "principal_due": "-2.00"})
    # repayments
    repayment = tables["repayments"][0]
    add["repayments"]({**repayment, "repayment_id": "R_NEGATIVE_AMOUNT", "amount": "-10"})
    add["repayments"]({**repayment, "repayment_id": "R_OUT_OF_RANGE", "amount": "0"})
    add["repayments"]({**repayment, "repayment_id": "R_ORPHAN", "loan_id": "N404"})
    add["repayments"](
        {**repayment, "repayment_id": "R_ORPHAN_OF_QUARANTINED", "loan_id": "N_OUT_OF_RANGE"}
    )
    add["repayments"](
        {**repayment, "repayment_id": "R_BEFORE_DRAWN", "paid_at": "2023-02-28 23:59:59"}
    )
    add["repayments"](
        {**repayment, "repayment_id": "R_RANGE_AND_ORPHAN", "amount": "0", "loan_id": "N404"}
    )
    add["repayments"]({**repayment, "repayment_id": "R_UNKNOWN_TYPE", "repayment_type": "refund"})
    add["repayments"](
        {
            **repayment,
            "repayment_id": "R_PENALTY_OVER",
            "amount": "10",
            "penalty_paid": "8",
            "fee_paid": "5",
        }
    )
    # N1 owes 3,082.05 to settle on 2023-05-15 (due through 05-01, the 05-11 prepayment row of
    # 502.50, the re-cut's 500 principal and 3.50 interest on it since 05-01); by this payment
    # it has received 3,076.05
    add["repayments"](
        {
            **repayment,
            "repayment_id": "R_SETTLEMENT_SHORT",
            "paid_at": "2023-05-15 10:00:00",
            "amount": "1000.00",
            "repayment_type": "settlement",
        }
    )
    # credit_scores
    score = tables["credit_scores"][0]
    add["credit_scores"]({**score, "scored_at": "2023-06-01 00:00:00", "score": 1000})
    add["credit_scores"]({**score, "customer_id": "C404"})
    add["credit_scores"](
        {**score, "customer_id": "C405", "scored_at": "2023-07-01 00:00:00", "score": 0}
    )
    add["credit_scores"]({**score, "scored_at": None, "score": 777})
    # credit_inquiries
    inquiry = tables["credit_inquiries"][0]
    add["credit_inquiries"](
        {**inquiry, "inquiry_id": "Q_UNKNOWN_CODE", "institution_type": "pawnshop"}
    )
    add["credit_inquiries"]({**inquiry, "inquiry_id": "Q_MISSING_REQUIRED", "inquired_at": None})
    add["credit_inquiries"]({**inquiry, "inquiry_id": "Q_ORPHAN", "customer_id": "C404"})
    return tables


def write_later_load(raw: Path) -> None:
    """A second load: late rows (valid), duplicates of first-load keys, an all-string
    Parquet file and a CSV file."""
    valid = valid_extract()
    write_raw(
        raw,
        {
            "limit_events": [
                {
                    "event_id": "E_LATE",
                    "line_id": "L2",
                    "event_at": "2023-02-20 10:00:00",
                    "event_type": "increase",
                    "limit_before": "8000",
                    "limit_after": "9000",
                    "reason_code": "PERIODIC_REVIEW",
                    "initiated_by": "system",
                }
            ],
            "installments": [
                {**valid["installments"][0], "principal_due": "999.00"},
                # a restatement: N1 re-cut on 2023-05-11 after prepaying 500 (accepted)
                {
                    **valid["installments"][2],
                    "principal_due": "500.00",
                    "interest_due": "7.60",
                    "recut_on": "2023-05-11",
                },
                # a re-cut scheduling more than the 500 the 05-11 version left after 05-20
                {**valid["installments"][2], "principal_due": "1200.00", "recut_on": "2023-05-20"},
                # a restatement dated before the loan was drawn (2023-03-01)
                {**valid["installments"][2], "interest_due": "1.11", "recut_on": "2023-02-01"},
                # a re-cut row due before the re-cut itself
                {**valid["installments"][2], "due_date": "2023-05-24", "recut_on": "2023-05-25"},
            ],
            "repayments": [
                valid["repayments"][0],  # R1 again: the first load's copy is kept
                {
                    "repayment_id": "R_LATE",
                    "loan_id": "N1",
                    "paid_at": "2023-05-01 08:00:00",
                    "amount": "1030.42",
                },
            ],
        },
        LATER_LOAD,
    )
    write_table(
        raw,
        "customers",
        [
            {
                "customer_id": "C3",
                "created_at": "2023-03-01 10:00:00",
                "birth_year": 1990,
                "city_tier": 2,
                "occupation": "student",
                "income_band": "under_5k",
                "channel": "app",
            },
            {
                "customer_id": "C_WRONG_TYPE",
                "created_at": "2023-03-01 10:00:00",
                "birth_year": "nineteen-ninety",
                "city_tier": 2,
            },
        ],
        LATER_LOAD,
        file_name="strings",
        as_strings=True,
    )
    write_table(
        raw,
        "credit_inquiries",
        [
            {
                "inquiry_id": "Q_CSV",
                "customer_id": "C2",
                "inquired_at": "2023-02-01 12:00:00",
                "institution_type": "bank",
            },
            {
                "inquiry_id": "Q_WRONG_TYPE",
                "customer_id": "C2",
                "inquired_at": "yesterday",
                "institution_type": "bank",
            },
        ],
        LATER_LOAD,
        file_name="bureau",
        fmt="csv",
    )


@pytest.fixture(scope="session")
def staged(tmp_path_factory) -> Path:
    """The hand-made extract built through seeds and staging into a temporary warehouse."""
    work = tmp_path_factory.mktemp("staging")
    raw = work / "raw"
    write_raw(raw, first_load(), FIRST_LOAD)
    write_later_load(raw)
    dbt_ok(STAGING, work / "creditline.duckdb", raw, work / "target")
    return work / "creditline.duckdb"


@pytest.fixture()
def con(staged):
    connection = duckdb.connect(str(staged), read_only=True)
    yield connection
    connection.close()


def quarantined(con, table: str, marker: str) -> list[str]:
    """Rules of the quarantined rows of `table` whose raw record contains `marker`."""
    rows = con.sql(
        "select quarantine_rule from staging.stg_quarantined_rows "
        "where table_name = $table and raw_record like '%' || $marker || '%'",
        params={"table": table, "marker": marker},
    ).fetchall()
    return [rule for (rule,) in rows]


def accepted_ids(con, model: str, key: str) -> set[str]:
    return {row[0] for row in con.sql(f"select {key} from staging.{model}").fetchall()}


@pytest.mark.parametrize(
    ("table", "marker", "rule"),
    [
        ("customers", "1999-09-09 09:09:09", "missing_key"),
        ("customers", '"C_MISSING_REQUIRED"', "missing_required"),
        ("customers", '"C_WRONG_TYPE"', "wrong_type"),
        ("customers", '"C_OUT_OF_RANGE"', "out_of_range"),
        ("customers", '"C_UNKNOWN_CODE"', "unknown_code"),
        ("customers", '"customer_id":"C1"', "duplicate_key"),
        ("customers", '"C_RANGE_AND_CODE"', "out_of_range"),
        ("credit_lines", '"L_NEGATIVE_AMOUNT"', "negative_amount"),
        ("credit_lines", '"L_OUT_OF_RANGE"', "out_of_range"),
        ("credit_lines", '"L_UNKNOWN_CODE"', "unknown_code"),
        ("credit_lines", '"L_ORPHAN"', "orphan"),
        ("credit_lines", '"L_ORPHAN_OF_QUARANTINED"', "orphan"),
        ("limit_events", '"E_BEFORE_OPENED"', "impossible_order"),
        ("limit_events", '"E_BEFORE_OPEN_EVENT"', "impossible_order"),
        ("limit_events", '"E_SECOND_OPEN"', "impossible_order"),
        ("limit_events", '"E_AFTER_CLOSE"', "impossible_order"),
        ("limit_events", '"E_REOPEN_AGAIN"', "impossible_order"),
        ("limit_events", '"E_UNFREEZE_UNFROZEN"', "impossible_order"),
        ("limit_events", '"E_UNKNOWN_CODE"', "unknown_code"),
        ("limit_events", '"E_NEGATIVE_AMOUNT"', "negative_amount"),
        ("limit_events", '"E_ORPHAN"', "orphan"),
        ("limit_events", '"E_NEGATIVE_AND_CODE"', "negative_amount"),
        ("limit_events", '"E_BROKEN_CHAIN"', "broken_limit_chain"),
        ("limit_events", '"E_BUILDS_ON_BROKEN"', "broken_limit_chain"),
        ("loans", '"N_MISSING_REQUIRED"', "missing_required"),
        ("loans", '"N_OUT_OF_RANGE"', "out_of_range"),
        ("loans", '"N_ZERO_PRINCIPAL"', "out_of_range"),
        ("loans", '"N_UNKNOWN_CODE"', "unknown_code"),
        ("loans", '"N_ORPHAN"', "orphan"),
        ("loans", '"N_REQUIRED_AND_CODE"', "missing_required"),
        ("loans", '"N_NEGATIVE_AND_RANGE"', "negative_amount"),
        ("installments", '"due_date":"1999-09-09"', "missing_key"),
        ("installments", '"interest_due":-1.00', "negative_amount"),
        ("installments", '"installment_no":4', "out_of_range"),
        ("installments", '"N404"', "orphan"),
        ("installments", '"principal_due":999.00', "duplicate_key"),
        ("installments", '"due_date":"2023-05-10"', "impossible_order"),
        ("installments", '"installment_no":9', "negative_amount"),
        ("installments", '"principal_due":1200.00', "recut_principal_mismatch"),
        ("installments", '"recut_on":"2023-02-01"', "impossible_order"),
        ("installments", '"recut_on":"2023-05-25"', "impossible_order"),
        ("repayments", '"R_NEGATIVE_AMOUNT"', "negative_amount"),
        ("repayments", '"R_OUT_OF_RANGE"', "out_of_range"),
        ("repayments", '"R_ORPHAN"', "orphan"),
        ("repayments", '"R_ORPHAN_OF_QUARANTINED"', "orphan"),
        ("repayments", '"R_BEFORE_DRAWN"', "impossible_order"),
        ("repayments", '"R_RANGE_AND_ORPHAN"', "out_of_range"),
        ("repayments", '"R_UNKNOWN_TYPE"', "unknown_code"),
        ("repayments", '"R_PENALTY_OVER"', "out_of_range"),
        ("repayments", '"R_SETTLEMENT_SHORT"', "settlement_short"),
        ("credit_scores", '"score":1000', "out_of_range"),
        ("credit_scores", '"C404"', "orphan"),
        ("credit_scores", '"score":777', "missing_key"),
        ("credit_scores", '"score":0', "out_of_range"),
        ("credit_inquiries", '"Q_UNKNOWN_CODE"', "unknown_code"),
        ("credit_inquiries", '"Q_MISSING_REQUIRED"', "missing_required"),
        ("credit_inquiries", '"Q_ORPHAN"', "orphan"),
        ("credit_inquiries", '"Q_WRONG_TYPE"', "wrong_type"),
    ],
)
def test_bad_row_is_quarantined_with_the_first_rule_it_breaks(con, table, marker, rule):
    assert quarantined(con, table, marker) == [rule]


@pytest.mark.parametrize(
    ("model", "key", "expected"),
    [
        ("stg_customers", "customer_id", {"C1", "C2", "C3"}),
        ("stg_credit_lines", "line_id", {"L1", "L2", "L3"}),
        (
            "stg_limit_events",
            "event_id",
            {
                "E1",
                "E2",
                "E_CLOSE",
                "E_REOPEN",
                "E_FREEZE",
                "E_UNFREEZE",
                "E_LATE",
                "E_CHAIN_RESUMES",
                "E3",
            },
        ),
        ("stg_loans", "loan_id", {"N1", "N2"}),
        ("stg_installments", "installment_id", {"N1-1", "N1-2", "N1-3", "N1-3-R2023-05-11"}),
        ("stg_repayments", "repayment_id", {"R1", "R_LATE"}),
        ("stg_credit_scores", "customer_id", {"C1", "C2"}),
        ("stg_credit_inquiries", "inquiry_id", {"Q1", "Q_CSV"}),
    ],
)
def test_good_rows_are_accepted_and_only_they(con, model, key, expected):
    assert accepted_ids(con, model, key) == expected


def test_raw_rows_equal_accepted_plus_quarantined_for_every_table(con):
    rows = con.sql(
        "select table_name, raw_rows, accepted_rows, quarantined_rows "
        "from staging.stg_row_reconciliation"
    ).fetchall()
    assert len(rows) == 8
    for table_name, raw_rows, accepted_rows, quarantined_rows in rows:
        assert raw_rows == accepted_rows + quarantined_rows, table_name
        assert quarantined_rows > 0, table_name


def test_late_arriving_rows_are_accepted_with_their_load_date(con):
    late = con.sql(
        "select event_on, load_date from staging.stg_limit_events where event_id = 'E_LATE' "
        "union all "
        "select paid_on, load_date from staging.stg_repayments where repayment_id = 'R_LATE'"
    ).fetchall()
    assert [str(load_date) for _, load_date in late] == [LATER_LOAD, LATER_LOAD]
    assert all(str(day) < FIRST_LOAD for day, _ in late)


def test_duplicate_key_keeps_the_earliest_load(con):
    (installment,) = con.sql(
        "select principal_due_amount, load_date from staging.stg_installments "
        "where installment_id = 'N1-1'"
    ).fetchall()
    assert (float(installment[0]), str(installment[1])) == (1000.0, FIRST_LOAD)
    assert quarantined(con, "repayments", '"R1"') == ["duplicate_key"]
    assert (
        con.sql("select load_date from staging.stg_repayments where repayment_id = 'R1'")
        .fetchall()[0][0]
        .isoformat()
        == FIRST_LOAD
    )


def test_a_bad_copy_does_not_displace_the_good_row_with_its_key(con):
    (row,) = con.sql(
        "select interest_due_amount from staging.stg_installments where installment_id = 'N1-2'"
    ).fetchall()
    assert float(row[0]) == 30.42


def test_all_string_parquet_file_merges_and_its_good_rows_are_typed(con):
    (row,) = con.sql(
        "select birth_year, city_tier, created_at from staging.stg_customers "
        "where customer_id = 'C3'"
    ).fetchall()
    assert row[0] == 1990 and row[1] == 2 and row[2].year == 2023


def test_stg_columns_follow_the_contract_names_and_types(con):
    types = dict(
        con.sql(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'staging' and table_name = 'stg_loans'"
        ).fetchall()
    )
    assert types == {
        "loan_id": "VARCHAR",
        "line_id": "VARCHAR",
        "drawn_at": "TIMESTAMP",
        "drawn_on": "DATE",
        "principal_amount": "DECIMAL(18,2)",
        "term_months": "INTEGER",
        "annual_rate": "DOUBLE",
        "repayment_method": "VARCHAR",
        "penalty_rate": "DOUBLE",
        "load_date": "DATE",
    }


def test_raw_record_is_kept_only_for_quarantined_rows(con):
    counts = con.sql(
        "select count(*) filter (where raw_record is not null), "
        "count(*) filter (where quarantine_rule is not null) "
        "from staging.base_loans_checked"
    ).fetchall()[0]
    assert counts[0] == counts[1] > 0


def test_unreadable_parquet_file_fails_the_run_naming_the_file(tmp_path):
    raw = write_raw(tmp_path / "raw", valid_extract())
    corrupt = write_corrupt_parquet(raw, "credit_scores")
    result = run_dbt(
        ["build", "--select", "+base_credit_scores_checked"],
        db_path=tmp_path / "creditline.duckdb",
        raw_root=raw,
        target_path=tmp_path / "target",
        capture=True,
    )
    assert result.returncode != 0
    assert corrupt.name in result.stdout + result.stderr
