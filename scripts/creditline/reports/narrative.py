"""Case-study narratives: a pure function from one customer's facts (a row of
`cases.mart_case_candidates` plus the pseudonym) to paragraphs in one language.

Every sentence is a template in the message catalogue (`case_studies.story.*`, en and zh);
this module only picks which sentences the facts support and fills in dates and numbers
with the report formatters. Nothing is computed here: days, scores and rates are mart
columns. Paragraphs follow one order: what happened, what the risk engine saw, how it
ended.
"""

from collections.abc import Mapping
from typing import Any

from creditline.reports.formatting import date, integer, is_missing, money, month, percent
from creditline.reports.messages import translate

Facts = Mapping[str, Any]


def _present(facts: Facts, *keys: str) -> bool:
    return all(not is_missing(facts.get(k)) for k in keys)


def _reason(code: object, lang: str) -> str:
    return translate(f"case_studies.reason.{code}", lang)


def _product(code: object, lang: str) -> str:
    return translate(f"case_studies.product.{code}", lang)


def _join(sentences: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(s for s in sentences if s)


def narrate(facts: Facts, lang: str) -> list[str]:
    """Paragraphs telling the customer's story in `lang`. `facts` holds the candidate's
    mart columns (archetype, dates, scores, amounts, reason codes) and `name`, the
    pseudonym to call the customer by."""

    def say(key: str, **params: object) -> str:
        return translate(f"case_studies.story.{key}", lang, **params)

    def d(key: str) -> str:
        return date(facts[key], lang)

    f = facts
    name = f["name"]
    product = _product(f["product_code"], lang)
    limit = money(f.get("limit_before_amount"), lang=lang)
    archetype = f["archetype"]

    def restored_ending(not_restored_key: str = "not_restored") -> list[str]:
        if not _present(f, "restored_on"):
            return [say(not_restored_key, date=d("as_of_on"))]
        ending = [
            say(
                "reopened",
                date=d("restored_on"),
                days=integer(f["days_to_restore"], lang),
                limit=money(f.get("restored_limit_amount"), lang=lang),
                reason=_reason(f["restore_reason_code"], lang),
            )
        ]
        ending += closed_again("reclosed", "not_reclosed_window")
        return ending

    def closed_again(closed_key: str, open_key: str) -> list[str]:
        if _present(f, "closed_after_restore_on"):
            return [
                say(
                    closed_key,
                    date=d("closed_after_restore_on"),
                    days=integer(f["days_restore_to_close"], lang),
                    reason=_reason(f["closed_after_restore_reason_code"], lang),
                )
            ]
        if f.get("is_closed_within_window_after_restore") is False:
            return [say(open_key, days=integer(f["outcome_window_days"], lang))]
        return [say("not_reclosed_yet", date=d("as_of_on"))]

    def aftermath() -> list[str]:
        """What followed the story's last event, said plainly either way (issue 17: a
        happy story must not hide a customer who fell behind again)."""
        if "has_bad_aftermath" not in f:
            return []
        if not f["has_bad_aftermath"]:
            return [say("aftermath_clean", name=name, date=d("as_of_on"))]
        said = []
        if _present(f, "aftermath_action_on"):
            said.append(
                say(
                    f"aftermath_{f['aftermath_action_type']}",
                    date=d("aftermath_action_on"),
                    product=_product(f["aftermath_action_product_code"], lang),
                    reason=_reason(f["aftermath_action_reason_code"], lang),
                )
            )
        if _present(f, "aftermath_dpd_month_on"):
            said.append(
                say(
                    "aftermath_dpd",
                    name=name,
                    month=month(f["aftermath_dpd_month_on"], lang),
                    dpd=integer(f["aftermath_worst_dpd"], lang),
                    date=d("as_of_on"),
                )
            )
        return said

    if archetype == "overdue_closed_recovered":
        happened = [
            say("first_overdue", name=name, date=d("first_overdue_on")),
            say(
                "closed",
                date=d("closed_on"),
                product=product,
                limit=limit,
                reason=_reason(f["closure_reason_code"], lang),
            ),
            say("worst_dpd", dpd=integer(f["worst_dpd_before"], lang)),
        ]
        engine = [
            say("arrears_repaid", date=d("arrears_repaid_on")),
            say(
                "score_recovered",
                score=integer(f["score_at_event"], lang),
                date=d("score_recovered_on"),
                best=integer(f["best_score_90d_after"], lang),
            ),
        ]
        ending = restored_ending()
    elif archetype == "reopened_then_reclosed":
        happened = [
            say(
                "episodes",
                name=name,
                episodes=integer(f["overdue_episodes"], lang),
                date=d("first_overdue_on"),
            ),
            say(
                "first_closure",
                date=d("closed_on"),
                product=product,
                limit=limit,
                reason=_reason(f["closure_reason_code"], lang),
            ),
        ]
        engine = [
            say("worst_dpd", dpd=integer(f["worst_dpd_before"], lang)),
            say(
                "scores_reopen",
                score=integer(f["score_at_event"], lang),
                score_restore=integer(f["score_at_restore"], lang),
            ),
        ]
        ending = restored_ending()
    elif archetype == "clean_closure_good_score":
        happened = [
            say("held_since", name=name, product=product, date=d("line_opened_on")),
            say(
                "closed",
                date=d("closed_on"),
                product=product,
                limit=limit,
                reason=_reason(f["closure_reason_code"], lang),
            ),
        ]
        engine = [
            say("never_overdue", name=name),
            say("score_at_event", score=integer(f["score_at_event"], lang)),
        ]
        if _present(f, "score_after_event"):
            engine.append(say("score_90d_after", score=integer(f["score_after_event"], lang)))
        ending = restored_ending()
    elif archetype == "zero_limit_closure":
        happened = [
            say(
                "zero_cut",
                date=d("key_event_on"),
                product=product,
                limit=limit,
                reason=_reason(f["closure_reason_code"], lang),
            ),
        ]
        if _present(f, "closed_on"):
            happened.append(say("zero_closed", date=d("closed_on")))
        engine = [
            say("never_overdue", name=name),
            say("score_at_event", score=integer(f["score_at_event"], lang)),
            say(
                "inquiries",
                name=name,
                before=integer(f["external_inquiries_before"], lang),
                after=integer(f["external_inquiries_after"], lang),
            ),
        ]
        ending = restored_ending()
    elif archetype == "exhausted_limit_closed":
        happened = [
            say(
                "exhausted",
                name=name,
                months=integer(f["exhausted_month_ends"], lang),
                product=product,
                utilization=percent(f["mean_utilization_rate"], 0, lang),
            ),
            say(
                "closed",
                date=d("closed_on"),
                product=product,
                limit=limit,
                reason=_reason(f["closure_reason_code"], lang),
            ),
        ]
        engine = [say("score_at_event", score=integer(f["score_at_event"], lang))]
        if f.get("worst_dpd_before"):
            engine.append(say("worst_dpd", dpd=integer(f["worst_dpd_before"], lang)))
        else:
            engine.append(say("never_overdue", name=name))
        ending = restored_ending()
    elif archetype == "paused_then_restored":
        happened = [
            say(
                "frozen",
                date=d("key_event_on"),
                name=name,
                product=product,
                limit=limit,
                reason=_reason(f["closure_reason_code"], lang),
            ),
        ]
        engine = []
        if f.get("worst_dpd_before"):
            engine.append(say("frozen_worst_dpd", dpd=integer(f["worst_dpd_before"], lang)))
        engine.append(
            say(
                "unfreeze_scores",
                score=integer(f["score_at_event"], lang),
                score_restore=integer(f["score_at_restore"], lang),
            )
        )
        ending = [
            say(
                "unfrozen",
                date=d("restored_on"),
                days=integer(f["days_to_restore"], lang),
                reason=_reason(f["restore_reason_code"], lang),
            ),
            *closed_again("closed_after_unfreeze", "open_after_unfreeze_window"),
        ]
    else:
        raise ValueError(f"unknown archetype {archetype!r}")
    return [_join(p, lang) for p in (happened, engine, ending + aftermath()) if p]
