"""How a daily run plans its build (no dbt): incremental or a full refresh, and why."""

from datetime import date

from creditline.daily import plan_run

MANIFEST = {"loans/2023-09-01/part.parquet": "a"}
PREVIOUS = {"manifest": MANIFEST, "code_hash": "old", "newest_load_date": date(2023, 9, 1),
            "as_of": date(2023, 9, 1)}  # fmt: skip


def test_full_refresh_is_asked_for_or_follows_a_code_change():
    asked = plan_run(PREVIOUS, MANIFEST, "old", lookback=7, full_refresh=True)
    assert (asked.mode, asked.reason) == ("full", "asked for --full-refresh")
    assert asked.dbt_args() == ["--full-refresh"]
    changed = plan_run(PREVIOUS, MANIFEST, "new", lookback=7, full_refresh=False)
    assert changed.mode == "full" and "code" in changed.reason
    same = plan_run(PREVIOUS, MANIFEST, "old", lookback=7, full_refresh=False)
    assert (same.mode, same.since) == ("incremental", date(2023, 9, 2))
