"""The case studies: archetype marts, narratives, pseudonyms and the rendered page.

Narratives and pseudonyms are checked on hand-made facts; the marts and the page on the
shared small warehouse (3,000 customers x 24 months, seed 7), where every archetype must have
candidates and each chosen customer's timeline must be the core facts of that customer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from selectolax.lexbor import LexborHTMLParser

from creditline.reports.case_studies import (
    ARCHETYPES,
    CLOSED_AGAIN_BY_RULE,
    RESTORED_BY_RULE,
    case_studies_page,
    context_from,
    load,
    pseudonym,
    pseudonym_index,
    surnames_on_page,
)
from creditline.reports.formatting import date, integer, number, percent
from creditline.reports.narrative import narrate
from creditline.reports.site import write_site

D = dt.date

# --- narratives ---------------------------------------------------------------------------

RECOVERED = {
    "archetype": "overdue_closed_recovered",
    "name": "Customer Zhang",
    "product_code": "CASH",
    "first_overdue_on": D(2024, 2, 26),
    "closed_on": D(2024, 5, 31),
    "key_event_on": D(2024, 5, 31),
    "closure_reason_code": "OVERDUE",
    "limit_before_amount": Decimal("7300.00"),
    "worst_dpd_before": 86,
    "arrears_repaid_on": D(2024, 6, 15),
    "score_at_event": 595,
    "score_recovered_on": D(2024, 7, 16),
    "best_score_90d_after": 649,
    "restored_on": D(2024, 9, 30),
    "days_to_restore": 122,
    "restored_limit_amount": Decimal("4100.00"),
    "restore_reason_code": "GOOD_BEHAVIOUR",
    "closed_after_restore_on": None,
    "is_closed_within_window_after_restore": None,
    "outcome_window_days": 365,
    "as_of_on": D(2024, 12, 31),
}


def test_recovered_story_tells_the_dates_and_numbers_in_english():
    paragraphs = narrate(RECOVERED, "en")
    assert paragraphs == [
        "Customer Zhang first fell behind on a payment on 26 Feb 2024. On 31 May 2024 the cash "
        "line, with a limit of ¥7,300, was closed (reason: missed payment). The worst delay "
        "before then was 86 days past due.",
        "The arrears were repaid in full on 15 Jun 2024. The score stood at 595 at the closure; "
        "on 16 Jul 2024 it was back at or above that level and it reached 649 within 90 days.",
        "The line was reopened on 30 Sep 2024, 122 days later, with a limit of ¥4,100 (reason: "
        "good repayment behaviour). It had not been closed again by 31 Dec 2024.",
    ]


def test_recovered_story_tells_the_same_facts_in_chinese():
    paragraphs = narrate({**RECOVERED, "name": "张客户"}, "zh")
    assert paragraphs[0] == (
        "张客户于2024年2月26日第一次未按时还款。2024年5月31日，其现金额度（额度¥7,300）因“逾期未还”"
        "被关闭。此前最长逾期86天。"
    )
    assert paragraphs[1] == (
        "欠款于2024年6月15日全部还清。关闭时信用分为595分；2024年7月16日回到该水平或以上，"
        "90天内最高达到649分。"
    )
    assert paragraphs[2] == (
        "2024年9月30日额度再开通，距关闭122天，新额度¥4,100，原因是“按时还款、信用修复”。"
        "截至2024年12月31日尚未再次被关闭。"
    )


def test_a_line_still_open_after_the_whole_window_says_so():
    facts = {**RECOVERED, "is_closed_within_window_after_restore": False}
    assert narrate(facts, "en")[-1].endswith(
        "It was still not closed again 365 days after the reopening."
    )


def test_a_recovered_story_states_a_bad_aftermath_plainly():
    facts = {
        **RECOVERED,
        "has_bad_aftermath": True,
        "aftermath_action_on": D(2024, 11, 30),
        "aftermath_action_type": "freeze",
        "aftermath_action_product_code": "CONSUMER",
        "aftermath_action_reason_code": "LINKED_PRODUCT",
        "aftermath_dpd_month_on": D(2024, 11, 1),
        "aftermath_worst_dpd": 47,
    }
    ending = narrate(facts, "en")[-1]
    assert ending.endswith(
        "Afterwards, on 30 Nov 2024, the lender froze the customer's consumer line (reason: "
        "linked-product risk). From Nov 2024, Customer Zhang fell behind again: by "
        "31 Dec 2024 the worst delay had reached 47 days past due."
    )
    zh = narrate({**facts, "name": "张客户"}, "zh")[-1]
    assert "2024年11月30日机构冻结了客户的消费额度" in zh and "最长逾期达到47天" in zh


def test_a_story_whose_customer_stayed_well_says_so_up_to_the_as_of_date():
    ending = narrate({**RECOVERED, "has_bad_aftermath": False}, "en")[-1]
    assert ending.endswith(
        "Up to 31 Dec 2024, nothing worse followed: none of Customer Zhang's lines reached 30 "
        "days past due and the lender took no further action."
    )


def test_zero_limit_story_reports_inquiries_before_and_after_the_cut():
    facts = {
        "archetype": "zero_limit_closure",
        "name": "Customer Xu",
        "product_code": "CASH",
        "key_event_on": D(2023, 2, 28),
        "closed_on": D(2023, 2, 28),
        "closure_reason_code": "RISK_REVIEW",
        "limit_before_amount": Decimal("1500.00"),
        "score_at_event": 614,
        "external_inquiries_before": 1,
        "external_inquiries_after": 6,
        "restored_on": None,
        "as_of_on": D(2024, 12, 31),
    }
    en = narrate(facts, "en")
    assert en[0] == (
        "On 28 Feb 2023 the limit of the cash line was cut from ¥1,500 to zero (reason: risk "
        "review). The line was closed on 28 Feb 2023."
    )
    assert en[1] == (
        "Customer Xu had never been a single day past due on any product. The risk engine saw a "
        "score of 614 on that day. In the 90 days before the cut Customer Xu had 1 inquiries at "
        "other lenders; in the 90 days after, 6."
    )
    assert en[2] == "By 31 Dec 2024 the line had not been reopened."
    zh = narrate({**facts, "name": "徐客户"}, "zh")
    assert (
        zh[0]
        == "2023年2月28日，其现金额度因“综合评估不足”从¥1,500降为零。额度于2023年2月28日被关闭。"
    )
    assert "降额前90天徐客户在其他机构有1次查询；降额后90天有6次。" in zh[1]
    assert zh[2] == "截至2024年12月31日额度尚未再开通。"


def test_paused_story_ends_with_the_closure_after_the_unfreeze():
    facts = {
        "archetype": "paused_then_restored",
        "name": "Customer Li",
        "product_code": "CONSUMER",
        "key_event_on": D(2023, 7, 31),
        "closure_reason_code": "MULTI_BORROWING",
        "limit_before_amount": Decimal("10100.00"),
        "worst_dpd_before": 3,
        "score_at_event": 651,
        "score_at_restore": 676,
        "restored_on": D(2023, 10, 31),
        "days_to_restore": 92,
        "restore_reason_code": "GOOD_BEHAVIOUR",
        "closed_after_restore_on": D(2024, 3, 31),
        "days_restore_to_close": 152,
        "closed_after_restore_reason_code": "OVERDUE",
        "as_of_on": D(2024, 12, 31),
    }
    en = narrate(facts, "en")
    assert en[0].startswith(
        "On 31 Jul 2023 the consumer line of Customer Li, with a limit of ¥10,100"
    )
    assert en[1] == (
        "Before the freeze the worst delay had been 3 days past due. The score was 651 at the "
        "freeze and 676 at the unfreeze, and nothing was past due on the day the line was "
        "unfrozen."
    )
    assert en[2] == (
        "The line was unfrozen on 31 Oct 2023, 92 days later (reason: good repayment behaviour). "
        "It was closed on 31 Mar 2024, 152 days after the unfreeze (reason: missed payment)."
    )
    zh = narrate({**facts, "name": "李客户"}, "zh")
    assert zh[2] == (
        "2023年10月31日额度解除暂停，距暂停92天，原因是“按时还款、信用修复”。"
        "2024年3月31日额度被关闭，距解除暂停152天，原因是“逾期未还”。"
    )


def test_every_archetype_has_a_story_in_both_languages():
    facts = {
        **RECOVERED,
        "line_opened_on": D(2023, 1, 5),
        "overdue_episodes": 3,
        "score_after_event": 640,
        "score_at_restore": 650,
        "external_inquiries_before": 0,
        "external_inquiries_after": 2,
        "exhausted_month_ends": 4,
        "mean_utilization_rate": 0.97,
        "closed_after_restore_on": D(2024, 11, 30),
        "days_restore_to_close": 61,
        "closed_after_restore_reason_code": "OVERDUE",
    }
    for archetype in ARCHETYPES:
        for lang in ("en", "zh"):
            paragraphs = narrate({**facts, "archetype": archetype}, lang)
            assert len(paragraphs) == 3 and all(paragraphs), (archetype, lang)


def test_an_unknown_archetype_is_an_error():
    with pytest.raises(ValueError, match="unknown archetype"):
        narrate({**RECOVERED, "archetype": "lucky_streak"}, "en")


# --- pseudonyms ---------------------------------------------------------------------------


def test_pseudonym_is_a_stable_function_of_the_hashed_id():
    assert pseudonym_index("16784ef6") == int("16784ef6", 16) % 16 == 6
    assert pseudonym("16784ef6", "en") == "Ms Zhao"
    assert pseudonym("16784ef6", "zh") == "赵女士"
    assert pseudonym("0931d61d", "en") == pseudonym("0931d61d", "en")
    assert pseudonym("0931d61d", "zh").startswith("朱")


# --- the marts on the small warehouse -------------------------------------------------------


def test_every_archetype_has_at_least_two_candidates(warehouse):
    counts = dict(
        warehouse.sql(
            "select archetype, count(*) from cases.mart_case_candidates group by archetype"
        ).fetchall()
    )
    assert set(counts) == set(ARCHETYPES)
    assert all(n >= 2 for n in counts.values()), counts
    summary = dict(
        warehouse.sql(
            "select archetype, candidate_count from cases.mart_case_archetypes"
        ).fetchall()
    )
    assert summary == counts


def test_each_archetype_chooses_exactly_its_best_fit(warehouse):
    rows = warehouse.sql(
        """
        select archetype, count(*) filter (where is_chosen),
               max(fit_score) = max(fit_score) filter (where is_chosen)
        from cases.mart_case_candidates group by archetype
        """
    ).fetchall()
    assert all(chosen == 1 and best for _, chosen, best in rows), rows


def test_happy_stories_choose_a_customer_whose_recovery_held_when_one_fits(warehouse):
    """A bad aftermath halves a happy archetype's fit (var cases_fit_bad_aftermath), so the
    chosen customer has a bad aftermath only if every candidate with a clean one fits less
    than half as well."""
    rows = warehouse.sql(
        """
        select archetype,
               bool_or(is_chosen and has_bad_aftermath) as chose_bad,
               max(story_fit_score) filter (where not has_bad_aftermath) as best_clean,
               max(story_fit_score) filter (where has_bad_aftermath) as best_bad
        from cases.mart_case_candidates
        where archetype in ('overdue_closed_recovered', 'paused_then_restored')
        group by archetype
        """
    ).fetchall()
    assert rows
    for archetype, chose_bad, best_clean, best_bad in rows:
        if chose_bad:
            assert best_clean is None or best_clean < best_bad * 0.5, archetype


def test_no_aftermath_is_dated_after_the_as_of_date_or_before_the_story_ends(warehouse):
    bad = warehouse.sql(
        """
        select count(*) from cases.mart_case_candidates
        where aftermath_action_on <= story_end_on or aftermath_action_on > as_of_on
           or aftermath_dpd_month_on <= story_end_on or aftermath_dpd_month_on > as_of_on
           or story_end_on > as_of_on or story_end_on < key_event_on
        """
    ).fetchall()[0][0]
    assert bad == 0


def test_each_candidate_is_the_best_occurrence_in_its_archetype_model(warehouse):
    """The mart is the union of the int_case_<archetype> models: per customer, the number of
    matches of the archetype's own model, nothing more or less; the occurrence kept is its
    best story (story_fit_score, before a bad aftermath weighs in) unless the aftermath
    halved it."""
    union = " union all ".join(
        f"select '{archetype}' as archetype, customer_id, max(fit_score) as best_fit_score, "
        f"count(*) as occurrence_count from intermediate.int_case_{archetype} group by customer_id"
        for archetype in ARCHETYPES
    )
    models = f"select archetype, customer_id, occurrence_count from ({union}) as models"
    mart = "select archetype, customer_id, occurrence_count from cases.mart_case_candidates"
    for left, right in ((models, mart), (mart, models)):
        assert warehouse.sql(f"select count(*) from ({left} except {right})").fetchall() == [(0,)]
    worse = warehouse.sql(
        f"""
        select count(*) from cases.mart_case_candidates as mart
        inner join ({union}) as models using (archetype, customer_id)
        where mart.story_fit_score > models.best_fit_score
           or (mart.story_fit_score < models.best_fit_score and mart.occurrence_count = 1)
        """
    ).fetchall()[0][0]
    assert worse == 0


def test_key_events_are_what_each_archetype_says(warehouse):
    rows = warehouse.sql(
        """
        select candidates.archetype, events.event_type, events.reason_code,
               events.limit_after_amount, candidates.*
        from cases.mart_case_candidates as candidates
        inner join core.fct_limit_events as events on candidates.key_event_id = events.event_id
        """
    ).pl()
    by = {a: rows.filter(pl.col("archetype") == a) for a in ARCHETYPES}
    assert (by["overdue_closed_recovered"]["reason_code"] == "OVERDUE").all()
    assert by["overdue_closed_recovered"]["is_restored"].all()
    assert (
        by["overdue_closed_recovered"]["best_score_90d_after"]
        >= by["overdue_closed_recovered"]["score_at_event"]
    ).all()
    assert (by["zero_limit_closure"]["event_type"] == "decrease").all()
    assert (by["zero_limit_closure"]["limit_after_amount"] == 0).all()
    assert (
        by["zero_limit_closure"]["external_inquiries_after"]
        > by["zero_limit_closure"]["external_inquiries_before"]
    ).all()
    assert (by["paused_then_restored"]["event_type"] == "freeze").all()
    assert (by["clean_closure_good_score"]["score_at_event"] >= 600).all()
    assert (by["clean_closure_good_score"]["worst_dpd_before"] == 0).all()
    assert (by["exhausted_limit_closed"]["exhausted_month_ends"] >= 3).all()
    reclosed = by["reopened_then_reclosed"]
    assert (reclosed["overdue_episodes"] >= 2).all()
    assert (reclosed["days_restore_to_close"] <= 365).all()
    for archetype in (
        "clean_closure_good_score",
        "exhausted_limit_closed",
        "reopened_then_reclosed",
        "overdue_closed_recovered",
    ):
        assert (by[archetype]["event_type"] == "close").all(), archetype


def test_no_score_after_an_event_comes_from_past_the_end_of_the_data(warehouse):
    """Issue 17: a story told "ninety days later the score was ..." for a closure 61 days
    before the data ended. The score 90 days after an event exists only once the data
    reach that day (default cases_recovery_score_days)."""
    counts = warehouse.sql("""
        select
            count(*) filter (where key_event_on + 90 > as_of_on and score_after_event is not null),
            count(*) filter (where key_event_on + 90 > as_of_on),
            count(*) filter (where key_event_on + 90 <= as_of_on and score_after_event is not null)
        from intermediate.int_case_key_events_followed
        cross join intermediate.int_as_of_date""").fetchall()[0]
    told_too_early, recent_events, told = counts
    assert told_too_early == 0
    assert recent_events > 0 and told > 0  # both kinds of event are in the book


def test_no_inquiry_count_after_an_event_is_cut_off_by_the_end_of_the_data(warehouse):
    """Issue 17: inquiries "in the 90 days after" a cut were counted up to the data's end
    even when fewer than 90 days remained, so a recent cut read as a fall in shopping."""
    counted_too_early, recent, counted = warehouse.sql("""
        select
            count(*) filter (where key_event_on + 90 > as_of_on
                             and external_inquiries_after is not null),
            count(*) filter (where key_event_on + 90 > as_of_on),
            count(*) filter (where key_event_on + 90 <= as_of_on
                             and external_inquiries_after is not null)
        from intermediate.int_case_key_events_followed
        cross join intermediate.int_as_of_date""").fetchall()[0]
    assert counted_too_early == 0
    assert recent > 0 and counted > 0


def test_clean_closures_were_never_past_due_in_the_installments(warehouse):
    late = warehouse.sql(
        """
        select candidates.customer_key
        from cases.mart_case_candidates as candidates
        inner join core.fct_installments as installments
            on candidates.customer_id = installments.customer_id
            and installments.due_on < candidates.closed_on
            and coalesce(installments.fully_paid_on, candidates.closed_on) > installments.due_on
        where candidates.archetype = 'clean_closure_good_score'
        """
    ).fetchall()
    assert late == []


def test_chosen_timelines_are_the_core_line_months_of_the_chosen_customer(warehouse):
    mismatched = warehouse.sql(
        """
        with chosen_months as (
            select candidates.archetype, line_months.*
            from cases.mart_case_candidates as candidates
            inner join core.fct_line_months as line_months
                on candidates.customer_id = line_months.customer_id
            where candidates.is_chosen
        )
        select coalesce(chosen_months.archetype, timelines.archetype) as archetype
        from chosen_months
        full outer join cases.mart_case_timelines as timelines
            on chosen_months.archetype = timelines.archetype
            and chosen_months.line_id = timelines.line_id
            and chosen_months.month_start_on = timelines.month_start_on
        where timelines.line_id is null or chosen_months.line_id is null
            or timelines.limit_amount <> chosen_months.limit_amount
            or timelines.outstanding_principal_amount <> chosen_months.outstanding_principal_amount
            or timelines.max_dpd_in_month <> chosen_months.max_dpd_in_month
            or timelines.line_status <> chosen_months.line_status
            or timelines.score is distinct from chosen_months.score
        """
    ).fetchall()
    assert mismatched == []
    events = warehouse.sql(
        """
        select
            (select sum(limit_event_count) from cases.mart_case_timelines),
            (select count(*) from core.fct_limit_events as events
             inner join cases.mart_case_candidates as candidates
                 on events.customer_id = candidates.customer_id and candidates.is_chosen)
        """
    ).fetchall()[0]
    assert events[0] == events[1]


# --- the rendered page ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def case_site(built_warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("case_site")
    write_site([case_studies_page(built_warehouse)], out, as_of=D(2024, 12, 31))
    return out


def _kpis(section) -> dict[str, str]:
    """The section's tiles by their data-figure name."""
    return {
        tile.attributes["data-figure"]: tile.css_first(".kpi-tile__value").text(strip=True)
        for tile in section.css(".kpi-tile")
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_numbers_equal_the_mart_values(case_site, warehouse, lang):
    path = case_site / ("case_studies.html" if lang == "en" else "zh/case_studies.html")
    tree = LexborHTMLParser(path.read_text("utf-8"))
    summary = {
        r["archetype"]: r
        for r in warehouse.sql("select * from cases.mart_case_archetypes")
        .pl()
        .iter_rows(named=True)
    }
    chosen = {
        r["archetype"]: r
        for r in warehouse.sql("select * from cases.mart_case_candidates where is_chosen")
        .pl()
        .iter_rows(named=True)
    }
    sections = {s.attributes["data-archetype"]: s for s in tree.css("section.case-study")}
    assert list(sections) == list(ARCHETYPES)
    surnames = surnames_on_page([chosen[archetype]["customer_key"] for archetype in sections])
    for archetype, section in sections.items():
        row, pick = summary[archetype], chosen[archetype]
        values = _kpis(section)
        assert values["candidates"] == integer(row["candidate_count"], lang)
        assert values["candidate_share"] == percent(row["candidate_share"], 1, lang)
        assert number(row["median_days_to_restore"], 0, lang) in values["median_days_to_restore"]
        # a tile the archetype's rule makes 100% by definition is left out
        if archetype in RESTORED_BY_RULE:
            assert "restored_rate" not in values
        else:
            assert values["restored_rate"] == percent(row["restored_rate"], 0, lang)
        if archetype in CLOSED_AGAIN_BY_RULE:
            assert "closed_again_rate" not in values
        else:
            assert values["closed_again_rate"] == percent(row["closed_again_rate"], 0, lang)
        assert pick["customer_key"] in section.css_first(".case-key").text()
        assert section.css_first(".case-fit").text(strip=True) == number(pick["fit_score"], 2, lang)
        assert section.css_first(".case-name").text(strip=True) == pseudonym(
            pick["customer_key"], lang, surnames[pick["customer_key"]]
        )
        story = section.css_first(".case-narrative").text()
        assert date(pick["key_event_on"], lang) in story
        assert integer(pick["score_at_event"], lang) in story
        assert section.css_first("figure.chart svg[role=img]") is not None


def test_page_never_shows_a_raw_customer_id(case_site, warehouse):
    ids = [
        r[0]
        for r in warehouse.sql(
            "select distinct customer_id from cases.mart_case_candidates"
        ).fetchall()
    ]
    for path in (case_site / "case_studies.html", case_site / "zh" / "case_studies.html"):
        html = path.read_text("utf-8")
        assert not [i for i in ids if i in html]


def test_an_archetype_without_candidates_says_no_customer_matches_yet(built_warehouse):
    import duckdb

    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        data = load(con)
    finally:
        con.close()
    data = {
        "archetypes": data["archetypes"],
        "chosen": data["chosen"].filter(pl.col("archetype") != "zero_limit_closure"),
        "timelines": data["timelines"].filter(pl.col("archetype") != "zero_limit_closure"),
    }
    cases = {c["archetype"]: c for c in context_from(data, "en")["cases"]}
    assert cases["zero_limit_closure"]["customer"] is None
    page = case_studies_page(data=data)
    from creditline.reports.environment import render_page

    html = render_page(page.template, page.context("en"), "en")
    section = LexborHTMLParser(html).css_first("#case-zero-limit-closure")
    assert "No customer in the data matches this archetype yet." in section.text()
    assert section.css_first("figure.chart") is None
