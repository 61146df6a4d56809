"""One bad row never turns a build red: generated books with bad rows mixed in at 1%, 3% and
10% (the generator's dirty mode, every kind of bad row it makes), at different seeds, build
green with `dbt build` (every model and data test), and raw = accepted + quarantined per table.

Every rule a data test enforces on accepted data needs a staging rule that quarantines the
rows breaking it first; a rule missing from staging shows here as a red build (it did for
the limit chain: a copy of a decrease to 0 with its amount "negated" is still 0, passed
staging, and failed assert_limit_chain_is_continuous). `make test-books`; CI runs it.
"""

import duckdb
import pytest
from dbt_support import dbt_ok

from creditline.generate import TABLES, generate_portfolio

pytestmark = [pytest.mark.integration, pytest.mark.books]

BOOK = {"customers": 1_000, "start": "2023-01", "months": 18}


@pytest.mark.parametrize(("dirty_rate", "seed"), [(0.01, 1), (0.03, 7), (0.1, 42)])
def test_a_dirty_book_builds_green_and_loses_no_row(tmp_path, dirty_rate, seed):
    raw = tmp_path / "raw"
    written = generate_portfolio(raw, **BOOK, seed=seed, dirty_rate=dirty_rate)
    db = tmp_path / "creditline.duckdb"
    # unit tests check code, not data: they run in make test's shared build
    dbt_ok(["build", "--exclude-resource-type", "unit_test"], db, raw, tmp_path / "target")
    con = duckdb.connect(str(db), read_only=True)
    try:
        reconciliation = con.sql(
            "select table_name, raw_rows, accepted_rows, quarantined_rows, is_reconciled "
            "from staging.stg_row_reconciliation"
        ).fetchall()
        quarantined = con.sql("select count(*) from staging.stg_quarantined_rows").fetchall()
        rules = {
            row[0]
            for row in con.sql(
                "select distinct quarantine_rule from staging.stg_quarantined_rows"
            ).fetchall()
        }
    finally:
        con.close()
    assert {row[0] for row in reconciliation} == set(TABLES)
    for table, raw_rows, accepted, rejected, is_reconciled in reconciliation:
        assert raw_rows == written[table] == accepted + rejected, table
        assert is_reconciled, table
    assert quarantined[0][0] > 0  # the book is dirty
    # the early-repayment records that contradict themselves are caught too
    assert {"settlement_short", "recut_principal_mismatch", "impossible_order"} <= rules
