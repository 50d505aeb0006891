"""Name lists for the demo data: common Kyrgyz, Uzbek and Russian names."""
from __future__ import annotations

import random

KYRGYZ_FEMALE = [
    "Айгүл", "Жылдыз", "Нургүл", "Гүлнара", "Айжан", "Мээрим", "Асел", "Бермет", "Чолпон",
    "Динара", "Айпери", "Назгүл", "Гүлзат", "Урмат", "Элмира", "Бүбүсара", "Жазгүл", "Каныкей",
    "Салтанат", "Толгонай", "Айнура", "Айзада", "Нуриза", "Бегимай",
]
KYRGYZ_MALE = [
    "Азамат", "Бакыт", "Эрлан", "Нурлан", "Улан", "Талант", "Марат", "Канат", "Алмаз", "Руслан",
    "Бекзат", "Эрмек", "Нурбек", "Айбек", "Тимур", "Жоомарт", "Исмаил", "Максат", "Мирлан",
    "Данияр", "Темирлан", "Адилет",
]
KYRGYZ_SURNAME_ROOTS = [
    "Абдыкадыр", "Асан", "Токтогул", "Жумабай", "Осмон", "Сыдык", "Мамыт", "Исак", "Кадыр",
    "Сатыбалды", "Токтосун", "Жээнбек", "Орозбай", "Бообек", "Алымбек", "Турдубай", "Шаршен",
    "Эсенгул", "Мукаш", "Дүйшөн",
]
UZBEK_FEMALE = ["Дилноза", "Гулнора", "Мохира", "Шахноза", "Зарина", "Нигора", "Феруза", "Мунира"]
UZBEK_MALE = ["Азизбек", "Бахтиёр", "Шерзод", "Улугбек", "Рустам", "Джахонгир", "Фаррух", "Ойбек"]
UZBEK_SURNAME_ROOTS = ["Юсуп", "Рахим", "Карим", "Турсун", "Мамажон", "Холмат", "Эргаш", "Абдуллай"]
RUSSIAN_FEMALE = ["Елена", "Ольга", "Наталья", "Татьяна", "Светлана", "Анна", "Ирина", "Марина"]
RUSSIAN_MALE = ["Сергей", "Александр", "Дмитрий", "Андрей", "Виктор", "Николай", "Игорь", "Олег"]
RUSSIAN_SURNAME_ROOTS = ["Иван", "Петр", "Смирн", "Кузнецо", "Поп", "Волк", "Морозо", "Никола"]
STREETS = ["Ленина", "Манаса", "Токтогула", "Чуй", "Фрунзе", "Масалиева", "Курманжан Датка",
           "Мира", "Советская", "Жибек Жолу"]


def surname(root: str, female: bool) -> str:
    """Russian-style surname from a root: Асан -> Асанов / Асанова."""
    if root.endswith("о"):
        base = root + "в"
    elif root.endswith(("ай", "ей")):
        base = root[:-1] + "ев"
    else:
        base = root + "ов"
    return base + ("а" if female else "")


def surname_for(family_surname: str, female: bool) -> str:
    """A family surname in the form for a man or a woman: Асанов <-> Асанова."""
    base = family_surname[:-1] if family_surname.endswith(("ова", "ева")) else family_surname
    return base + ("а" if female and base.endswith(("ов", "ев")) else "")


def random_name(rng: random.Random, female: bool, uzbek_share: float) -> tuple[str, str]:
    """(first name, last name): Uzbek with ``uzbek_share``, Russian one time in
    ten, Kyrgyz otherwise. The demo and the synthetic data draw from this."""
    roll = rng.random()
    if roll < uzbek_share:
        first = rng.choice(UZBEK_FEMALE if female else UZBEK_MALE)
        root = rng.choice(UZBEK_SURNAME_ROOTS)
    elif roll < uzbek_share + 0.1:
        first = rng.choice(RUSSIAN_FEMALE if female else RUSSIAN_MALE)
        root = rng.choice(RUSSIAN_SURNAME_ROOTS)
    else:
        first = rng.choice(KYRGYZ_FEMALE if female else KYRGYZ_MALE)
        root = rng.choice(KYRGYZ_SURNAME_ROOTS)
    return first, surname(root, female)
