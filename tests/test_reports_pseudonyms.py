"""Case-study pseudonyms: the articles' style ("张先生（化名）"), stable per customer, and
never one name for two customers on a page (issue 17, item 15)."""

import pytest

from creditline.reports.case_studies import (
    SURNAME_COUNT,
    honorific,
    pseudonym,
    pseudonym_index,
    surnames_on_page,
)
from creditline.reports.messages import translate


def test_a_pseudonym_is_a_surname_with_mr_or_ms_drawn_from_the_hash():
    assert pseudonym_index("16784ef6") == 6
    assert honorific("16784ef6") == ("mr", "ms")[int("16784ef6", 16) // 16 % 2]
    zh = pseudonym("16784ef6", "zh")
    assert zh[0] == translate("case_studies.surname.6", "zh") and zh[1:] in ("先生", "女士")
    assert pseudonym("16784ef6", "en") in ("Mr Zhao", "Ms Zhao")
    assert pseudonym("16784ef6", "zh") == pseudonym("16784ef6", "zh")  # stable


def test_two_customers_with_the_same_surname_get_different_names_on_a_page():
    # 16784ef6 and 0d1d3266 both hash to surname 6 (Zhao), as in the small test book
    assert pseudonym_index("16784ef6") == pseudonym_index("0d1d3266")
    surnames = surnames_on_page(["16784ef6", "0d1d3266", "16784ef6"])
    assert surnames == {"16784ef6": 6, "0d1d3266": 7}
    names = {pseudonym(key, "zh", index) for key, index in surnames.items()}
    assert len(names) == 2


def test_a_page_cannot_hold_more_customers_than_surnames():
    keys = [f"{i:08x}" for i in range(SURNAME_COUNT + 1)]
    assert len(set(surnames_on_page(keys[:SURNAME_COUNT]).values())) == SURNAME_COUNT
    with pytest.raises(ValueError, match="more than"):
        surnames_on_page(keys)
