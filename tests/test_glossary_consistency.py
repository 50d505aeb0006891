"""The catalogs use the glossary's terms (docs/GLOSSARY.md) consistently.

Each row: a term as an English regular expression, and the stem its Russian
and its Kyrgyz renderings must contain. Every catalog entry whose msgid uses
the term must use the glossary's stem in both languages, so that a new
message translated with another word ("полиция", "жертва", "приют",
"случай" for a case ...) fails here.
"""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from coordination import PROJECT_ROOT

CATALOGS = PROJECT_ROOT / "coordination" / "translations"

#: (term, English msgid pattern, Russian stem, Kyrgyz stem); case-insensitive.
TERMS = [
    ("family violence", r"\bfamily violence\b", r"семейн\w* насили", r"үй-бүлөлүк зомбулук"),
    ("survivor", r"\bsurvivors?\b", r"пострадавш", r"жабыр тарткан"),
    ("alleged perpetrator", r"\balleged perpetrators?\b", r"совершивш\w* насилие",
     r"зомбулук жасаган адам"),
    ("protection order", r"\bprotection orders?\b", r"охранн\w* ордер", r"коргоо ордер"),
    ("temporary protection order", r"\btemporary (protection )?orders?\b",
     r"временн\w* (охранн\w* )?ордер", r"убактылуу (коргоо )?ордер"),
    ("court restrictions", r"\bcourt restrictions\b", r"судебн\w* ограничительн\w* мер",
     r"соттун чектөө чаралар"),
    ("electronic monitoring", r"\belectronic monitoring\b", r"электронн\w* мониторинг",
     r"электрондук көзөмөл"),
    # Not the agency codes of the examples (CHUI-POLICE).
    ("police", r"(?<!-)\bpolice\b", r"милици", r"милици"),
    ("local self-government", r"\blocal self-government\b", r"местного самоуправления",
     r"жергиликтүү өз алдынча башкаруу"),
    ("crisis centre", r"\bcrisis cent(re|er)s?\b", r"кризисн\w* центр", r"кризистик борбор"),
    ("shelter", r"\bshelters?\b", r"убежищ", r"баш калкалоо жай"),
    ("referral", r"\breferrals?\b", r"направлени", r"жолдомо"),
    ("follow-up", r"\bfollow-ups?\b", r"мероприяти", r"иш-чара"),
    ("committee", r"\bcommittees?\b", r"комитет", r"комитет"),
    ("case", r"\bcases?\b", r"\bдел(о|а|у|ом|е|ам|ами|ах)?\b", r"\bиш(?!-)"),
    ("repeat case", r"\brepeats?\b", r"повторн(?!\w*\s+случа)", r"кайталанган иш"),
    ("incident", r"\bincidents?\b", r"инцидент", r"окуя"),
    ("risk", r"\brisk\b", r"риск|опасн", r"тобокелдик|коркунуч"),
    ("risk assessment", r"\b(risk assessments?|assessed)\b", r"оцен", r"баал"),
    ("correctional programme", r"\bcorrectional programmes?\b", r"коррекционн\w* программ",
     r"түзөтүү программа"),
    ("consent", r"\bconsent", r"согласи", r"макулду[кг]"),
    ("bride kidnapping", r"\bbride kidnapping\b|\bala kachuu\b",
     r"похищени\w* лица для вступления в брак", r"ала качуу"),
    ("forced marriage", r"\bforced marriage\b", r"принуждени\w* к вступлению в брак",
     r"никеге мажбурлоо"),
    ("early marriage", r"\bearly marriage\b", r"ранн\w* брак", r"эрте нике"),
    ("agency", r"\bagenc(y|ies)\b", r"организаци|подразделени", r"мекеме|бөлүм"),
    ("lead agency", r"\blead agenc(y|ies)\b", r"ведущ\w* организаци", r"жетектөөчү мекеме"),
    ("meeting", r"\bmeetings?\b", r"заседани", r"жыйын"),
    ("agenda", r"\bagenda\b", r"повестк", r"күн тартиб"),
    ("notification", r"\bnotifications?\b", r"уведомлени", r"билдирме"),
    ("social protection", r"\bsocial protection\b", r"социальн\w* защит", r"социалдык коргоо"),
    ("anonymized", r"\banonymi[sz]", r"обезлич", r"жеке маалымат"),
    ("reference number", r"\breference numbers?\b", r"регистрационн\w* номер", r"каттоо номер"),
    ("region", r"\bregions?\b", r"област", r"облус"),
    ("district", r"\bdistricts?\b", r"район", r"район"),
    ("territory", r"\bterritor(y|ies)\b", r"территори", r"аймa?[кг]|аймак|аймаг"),
    ("municipality", r"\bmunicipalit(y|ies)\b", r"муниципалитет", r"муниципалитет"),
    ("breakdown", r"\bbreakdowns?\b", r"разрез", r"бөлүштүрүү"),
    ("overdue", r"\boverdue\b", r"просроч", r"мөөнөтү өткөн"),
    ("ministry", r"\bministry\b", r"министерств", r"министрлик"),
    ("court", r"\bcourts?\b", r"суд", r"сот"),
]

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")

#: Entries allowed to leave a term out, and why.
EXCEPTIONS = {
    # The minutes' column is narrow; the heading of the agency column.
    ("agency", "Responsible agency"): "short column heading (Исполнитель)",
    # The English parameter names of the report's query string are kept as they are.
    ("region", "The form uses the parameters from, to (year-month), region and district "
               "(territory codes), and table for each breakdown."): "parameter names",
    ("district", "The form uses the parameters from, to (year-month), region and district "
                 "(territory codes), and table for each breakdown."): "parameter names",
}


def _entries(lang: str) -> dict[str, str]:
    """English text (both forms of a plural) -> the translation (all its forms)."""
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    found = {}
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        found[" || ".join(ids)] = " || ".join(strings)
    return found


@pytest.fixture(scope="module")
def catalogs():
    return {lang: _entries(lang) for lang in ("ru", "ky")}


def _violations(catalogs, term, english, russian, kyrgyz) -> tuple[int, list[str]]:
    used, wrong = 0, []
    for msgid, ru in catalogs["ru"].items():
        # The placeholders' names are not words of the message.
        if not re.search(english, PLACEHOLDER.sub("…", msgid), re.IGNORECASE):
            continue
        used += 1
        if (term, msgid) in EXCEPTIONS:
            continue
        ky = catalogs["ky"][msgid]
        if not re.search(russian, ru, re.IGNORECASE):
            wrong.append(f"ru: {msgid!r} -> {ru!r}")
        if not re.search(kyrgyz, ky, re.IGNORECASE):
            wrong.append(f"ky: {msgid!r} -> {ky!r}")
    return used, wrong


@pytest.mark.parametrize(("term", "english", "russian", "kyrgyz"), TERMS,
                         ids=[row[0] for row in TERMS])
def test_every_message_with_the_term_uses_the_glossarys_rendering(catalogs, term, english,
                                                                   russian, kyrgyz):
    used, wrong = _violations(catalogs, term, english, russian, kyrgyz)
    assert used, f"no message uses {term!r}: the row is stale"
    assert wrong == []


def test_the_check_catches_an_inconsistent_translation(catalogs):
    """A Russian "полиция" or a Kyrgyz "полиция" where the glossary says милиция."""
    row = next(r for r in TERMS if r[0] == "police")
    broken = {lang: dict(entries) for lang, entries in catalogs.items()}
    broken["ru"]["Police"] = "Полиция"
    broken["ky"]["Police patrol"] = "Полиция патрулу"
    _used, wrong = _violations(broken, *row)
    assert wrong == ["ru: 'Police' -> 'Полиция'", "ky: 'Police patrol' -> 'Полиция патрулу'"]


def test_exceptions_are_still_needed(catalogs):
    for (term, msgid) in EXCEPTIONS:
        assert msgid in catalogs["ru"], f"exception for a message that is gone: {msgid!r}"
        assert any(row[0] == term for row in TERMS)


def test_every_term_is_in_the_glossary():
    glossary = (PROJECT_ROOT / "docs" / "GLOSSARY.md").read_text(encoding="utf-8").lower()
    missing = [term for term, *_rest in TERMS if f"| {term}" not in glossary]
    assert missing == []
