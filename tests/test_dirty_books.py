"""One bad row never turns a build red: generated books with bad rows mixed in at 1%, 3% and
10% (the generator's dirty mode, every kind of bad row it makes), at different seeds, build
green with `dbt build` (every model and data test), and raw = accepted + quarantined per table.

Every rule a data test enforces on accepted data needs a staging rule that quarantines the
rows breaking it first; a rule missing from staging shows here as a red build (it did for
the limit chain: a copy of a decrease to 0 with its amount "negated" is still 0, passed
staging, and failed assert_limit_chain_is_continuous). `make test-books`; CI runs it.
"""

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
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


# the contract's optional columns (the early-repayment and penalty ones)
OPTIONAL = {
    "loans": ["penalty_rate"],
    "installments": ["recut_on"],
    "repayments": ["repayment_type", "penalty_paid", "fee_paid"],
}


def test_an_extract_without_the_optional_columns_builds_as_with_them_empty(tmp_path):
    """An older extract (no optional column at all) builds exactly as one that has them, all
    NULL: every dim_/fct_/mart_ relation equal, doubles to 9 places. The re-cuts' rows go (an
    extract without recut_on has none)."""
    generated = tmp_path / "generated"
    generate_portfolio(generated, **BOOK, seed=3)
    for variant, keep_empty in (("absent", False), ("empty", True)):
        for path in generated.rglob("*.parquet"):
            table = pq.read_table(path)
            name = path.parent.parent.name
            if "recut_on" in table.column_names:
                table = table.filter(pc.is_null(table["recut_on"]))
            for column in OPTIONAL.get(name, []):
                if column in table.column_names:
                    table = table.drop_columns([column])
                if keep_empty:
                    table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
            target = tmp_path / variant / path.relative_to(generated)
            target.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, target)
        dbt_ok(
            ["build", "--exclude-resource-type", "unit_test"],
            tmp_path / f"{variant}.duckdb",
            tmp_path / variant,
            tmp_path / f"target-{variant}",
        )
    con = duckdb.connect()
    con.execute(f"attach '{tmp_path / 'absent.duckdb'}' as absent (read_only)")
    con.execute(f"attach '{tmp_path / 'empty.duckdb'}' as empty (read_only)")
    relations = con.sql(
        "select schema_name, table_name, list(column_name), list(data_type) "
        "from duckdb_columns() where database_name = 'absent' "
        "and schema_name in ('core', 'lifecycle', 'risk', 'cases') "
        "and regexp_matches(table_name, '^(dim|fct|mart)_') group by all"
    ).fetchall()
    assert len(relations) > 20
    for schema, name, columns, types in relations:
        select = ", ".join(
            f'round("{c}", 9)' if t == "DOUBLE" else f'"{c}"'
            for c, t in zip(columns, types, strict=True)
        )
        for left, right in (("absent", "empty"), ("empty", "absent")):
            only = con.sql(
                f"select count(*) from (select {select} from {left}.{schema}.{name} "
                f"except all select {select} from {right}.{schema}.{name})"
            ).fetchall()[0][0]
            assert only == 0, (schema, name, left)
