"""Folding names: the spellings of one name meet, different names do not."""
from __future__ import annotations

import pytest

from coordination.cases.folding import fold_text, fold_word, name_key


@pytest.mark.parametrize("spelling", ["Өмүрбекова", "Omurbekova", "Омурбекова", "ÖMÜRBEKOVA",
                                      "omurbekova ", "Ömürbekova"])
def test_kyrgyz_russian_and_latin_spellings_meet(spelling):
    assert fold_word(spelling) == "omurbekova"


@pytest.mark.parametrize(("one", "other"), [
    ("Жылдыз", "Zhyldyz"), ("Жылдыз", "Jyldyz"), ("Айгүл", "Aigul"), ("Айгуль", "Aigul"),
    ("Ханифа", "Khanifa"), ("Ханифа", "Xanifa"), ("Юсупова", "Yusupova"),
    ("Чолпон", "Cholpon"), ("Шахноза", "Shakhnoza"), ("Аалы", "Aly"), ("Эркин", "Erkin"),
    ("Мээрим", "Meerim"), ("Ысык", "Isyk"), ("Джамиля", "Jamilya"), ("Жаңыл", "Janyl"),
])
def test_transliterations_meet(one, other):
    assert fold_word(one) == fold_word(other)


@pytest.mark.parametrize(("one", "other"), [
    ("Асанова", "Осмонова"), ("Айгүл", "Айпери"), ("Omurbekova", "Omurbekov"),
])
def test_different_names_stay_apart(one, other):
    assert fold_word(one) != fold_word(other)


def test_the_key_puts_surname_and_given_name_first_and_skips_a_missing_patronymic():
    assert name_key("Өмүрбекова", "Айгүл", None) == "omurbekova aigul"
    assert name_key("Omurbekova", "Aigul", "Bakytovna") == "omurbekova aigul bakitovna"
    assert name_key("", "", None) == ""


def test_search_text_is_folded_word_by_word_and_punctuation_dropped():
    assert fold_text("  Өмүрбекова,  Айгүл ") == "omurbekova aigul"
    assert fold_text("123-45") == ""
    assert fold_text(None) == ""
