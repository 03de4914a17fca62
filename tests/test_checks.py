"""Each quality check, with cases it must flag and cases it must not, in cs, ru, uk and sk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.catalog import parse_catalog
from pipeline.checks.catalog import check_catalog
from pipeline.checks.damage import length_band
from pipeline.checks.glossary import Glossary, load_glossary, parse_glossary
from pipeline.checks.msgfmt import msgfmt_findings
from pipeline.checks.translation import check_translation
from pipeline.cli import main
from pipeline.errors import ConfigError
from pipeline.model import Finding, Severity

REPO = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(REPO / "locales" / "glossary.csv")
NBSP = "\u00a0"
NNBSP = "\u202f"


def found(
    source: str, translation: str, language: str, check: str, flags: tuple[str, ...] = ()
) -> list[Finding]:
    findings = check_translation(source, translation, language, glossary=GLOSSARY, flags=flags)
    return [finding for finding in findings if finding.check == check]


def clean(source: str, translation: str, language: str, flags: tuple[str, ...] = ()) -> None:
    """No finding at all: a good translation must not raise a false alarm of any check."""
    findings = check_translation(source, translation, language, glossary=GLOSSARY, flags=flags)
    assert findings == [], findings


# --- numbers -------------------------------------------------------------------------------------

DETAINED = "In total, 20,081 people were detained in connection with criticism of the war."


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", f"Celkem bylo v souvislosti s kritikou války zadrženo 20{NBSP}081 lidí."),
        ("cs", f"Celkem bylo v souvislosti s kritikou války zadrženo 20{NNBSP}081 lidí."),
        ("cs", "Celkem bylo v souvislosti s kritikou války zadrženo 20 081 lidí."),
        ("ru", f"Всего в связи с критикой войны было задержано 20{NBSP}081 человек."),
        ("ru", "Всего в связи с критикой войны было задержано 20081 человек."),
        ("uk", f"Загалом у зв'язку з критикою війни було затримано 20{NNBSP}081 особу."),
        ("sk", f"Celkovo bolo v súvislosti s kritikou vojny zadržaných 20{NBSP}081 ľudí."),
    ],
)
def test_localised_thousands_are_not_flagged(language: str, translation: str) -> None:
    clean(DETAINED, translation, language)


@pytest.mark.parametrize(
    ("language", "translation", "wrong"),
    [
        ("cs", "Celkem bylo v souvislosti s kritikou války zadrženo 20.081 lidí.", "20.081"),
        ("cs", "Celkem bylo v souvislosti s kritikou války zadrženo 20,081 lidí.", "20,081"),
        ("ru", "Всего в связи с критикой войны было задержано 20.081 человек.", "20.081"),
        ("uk", "Загалом у зв'язку з критикою війни було затримано 20,081 особу.", "20,081"),
        ("sk", "Celkovo bolo v súvislosti s kritikou vojny zadržaných 20.081 ľudí.", "20.081"),
    ],
)
def test_english_separator_is_flagged_as_an_error(
    language: str, translation: str, wrong: str
) -> None:
    [finding] = found(DETAINED, translation, language, "numbers")
    assert finding.severity is Severity.ERROR
    assert finding.message.startswith(f"{wrong} has an English separator")
    assert "20 081" in finding.message  # the localised form, shown with a plain space


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Celkem bylo v souvislosti s kritikou války zadrženo 2 081 lidí."),
        ("ru", "Всего в связи с критикой войны было задержано много людей."),
        ("uk", "Загалом у зв'язку з критикою війни було затримано 20 801 особу."),
        ("sk", "Celkovo bolo v súvislosti s kritikou vojny zadržaných veľa ľudí."),
    ],
)
def test_missing_or_changed_number_is_an_error(language: str, translation: str) -> None:
    [finding] = found(DETAINED, translation, language, "numbers")
    assert finding.severity is Severity.ERROR
    assert finding.message == "20,081 is missing"


SHARE = "The share of companies planning layoffs has grown from 7% in January to 11.5% in June."


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        (
            "cs",
            f"Podíl firem plánujících propouštění vzrostl ze 7{NBSP}% v lednu na 11,5 % v červnu.",
        ),
        ("cs", "Podíl firem plánujících propouštění vzrostl ze 7% v lednu na 11,5% v červnu."),
        ("ru", "Доля компаний, планирующих увольнения, выросла с 7% в январе до 11,5% в июне."),
        (
            "uk",
            f"Частка фірм, що планують звільнення, зросла з 7 % у січні до 11,5{NBSP}% у червні.",
        ),
        ("sk", "Podiel firiem plánujúcich prepúšťanie vzrástol zo 7 % v januári na 11,5 % v júni."),
    ],
)
def test_localised_percent_and_decimal_are_not_flagged(language: str, translation: str) -> None:
    clean(SHARE, translation, language)


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Podíl firem plánujících propouštění vzrostl ze 7 % v lednu na 11.5 % v červnu."),
        ("ru", "Доля компаний, планирующих увольнения, выросла с 7% в январе до 11.5% в июне."),
        ("uk", "Частка компаній, які планують звільнення, зросла з 7% у січні до 11.5% у червні."),
        ("sk", "Podiel firiem plánujúcich prepúšťanie vzrástol zo 7 % v januári na 11.5 % v júni."),
    ],
)
def test_decimal_point_is_a_warning(language: str, translation: str) -> None:
    [finding] = found(SHARE, translation, language, "numbers")
    assert finding.severity is Severity.WARNING
    assert finding.message.endswith("writes 11,5")


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Pokud v letech 2015–2021 šlo na sociální politiku v průměru 28 % výdajů rozpočtu,"),
        ("ru", "Если в 2015—2021 годах на социальную политику в среднем шло 28% расходов бюджета,"),
        (
            "uk",
            "Якщо у 2015-2021 роках на соціальну політику в середньому йшло 28% видатків бюджету,",
        ),
        (
            "sk",
            "Ak v rokoch 2015 – 2021 išlo na sociálnu politiku v priemere 28 % výdavkov rozpočtu,",
        ),
    ],
)
def test_year_ranges_with_any_dash_are_not_flagged(language: str, translation: str) -> None:
    source = "If in 2015-2021, on average 28% of budget expenditures were spent on social policy,"
    clean(source, translation, language)


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Jako organizace existujeme od poloviny 90. let."),
        ("ru", "Как организация мы существуем с середины 1990-х годов."),
        ("uk", "Як організація ми існуємо з середини 90-х років."),
        ("sk", "Ako organizácia existujeme od polovice 90. rokov."),
    ],
)
def test_decades_may_be_shortened(language: str, translation: str) -> None:
    clean("As an organisation, we have existed since the mid-1990s.", translation, language)


@pytest.mark.parametrize(
    ("language", "spelled", "wrong"),
    [
        ("cs", "Vojenská služba trvá jeden rok.", "Vojenská služba trvá dva roky."),
        (
            "ru",
            "Срок военной службы составляет один год.",
            "Срок военной службы составляет два года.",
        ),
        (
            "uk",
            "Термін військової служби становить один рік.",
            "Термін військової служби — два роки.",
        ),
        ("sk", "Vojenská služba trvá jeden rok.", "Vojenská služba trvá dva roky."),
    ],
)
def test_small_numbers_may_be_spelled_out(language: str, spelled: str, wrong: str) -> None:
    source = "The term of military service is 1 year."
    clean(source, spelled, language)
    assert [f.message for f in found(source, wrong, language, "numbers")] == ["1 is missing"]


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Od 24. února 2022 do 17. února 2025 bylo stíháno 1 185 lidí."),
        (
            "ru",
            "С 24 февраля 2022 г. по 17 февраля 2025 г. преследованиям подверглись 1185 человек.",
        ),
        ("uk", "З 24 лютого 2022 року по 17 лютого 2025 року переслідували 1 185 осіб."),
        ("sk", "Od 24. februára 2022 do 17. februára 2025 bolo stíhaných 1 185 ľudí."),
    ],
)
def test_dates_and_four_digit_numbers(language: str, translation: str) -> None:
    source = "From February 24, 2022 to February 17, 2025, 1,185 people were prosecuted."
    clean(source, translation, language)
    damaged = translation.replace("2025", "2015")
    assert [f.message for f in found(source, damaged, language, "numbers")] == ["2025 is missing"]


def test_version_numbers_keep_their_dot() -> None:
    source = "Creative Commons Attribution-ShareAlike 3.0 Unported License"
    translation = "Лицензия Creative Commons Attribution-ShareAlike 3.0 Unported"
    assert found(source, translation, "ru", "numbers") == []


def test_placeholders_are_not_numbers() -> None:
    source = "Discard %s (%s of %s strings; only %s%% translated; need %2$s%%)."
    translation = "Отброшено %s (%s из %s строк; переведено только %s%%; необходимо %2$s%%)."
    assert found(source, translation, "ru", "numbers", ("c-format",)) == []


def test_other_languages_get_babels_number_format() -> None:
    """A configured language without its own rules here (German) still has its numbers checked."""
    source = "In 2022, 20,081 people were detained."
    assert (
        check_translation(source, "Im Jahr 2022 wurden 20.081 Menschen festgenommen.", "de") == []
    )
    [finding] = check_translation(source, "Im Jahr 2022 wurden 20,081 Menschen festgenommen.", "de")
    assert finding.message == "20,081 has an English separator; German writes 20.081"


def test_unknown_language_code() -> None:
    with pytest.raises(ConfigError, match="unknown language code 'zz'"):
        check_translation("In 2022.", "V roce 2022.", "zz")


# --- names and terms -----------------------------------------------------------------------------

INTRO = (
    "We publish below an interview by the Czech antimilitarist group Dezerter "
    "with the Russian group KRAS."
)
INTRO_GOOD = {
    "cs": "Níže zveřejňujeme rozhovor české antimilitaristické skupiny Dezerter s ruskou skupinou "
    "KRAS.",
    "ru": "Ниже мы публикуем интервью чешской антимилитаристской группы Dezerter с российской "
    "группой КРАС.",
    "uk": "Нижче ми публікуємо інтерв'ю чеської антимілітаристської групи Дезертер з російською "
    "групою КРАС.",
    "sk": "Nižšie uverejňujeme rozhovor českej antimilitaristickej skupiny Dezerter s ruskou "
    "skupinou KRAS.",
}
INTRO_BAD = {
    "cs": "Níže zveřejňujeme rozhovor české antimilitaristické skupiny Dezertér s ruskou skupinou "
    "Kras.",
    "ru": "Ниже мы публикуем интервью чешской антимилитаристской группы Дезертир с российской "
    "группой Карст.",
    "uk": "Нижче ми публікуємо інтерв'ю чеської антимілітаристської групи Дезертир з російською "
    "групою Карст.",
    "sk": "Nižšie uverejňujeme rozhovor českej antimilitaristickej skupiny Dezertér s ruskou "
    "skupinou Kras.",
}


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk"])
def test_glossary_terms(language: str) -> None:
    clean(INTRO, INTRO_GOOD[language], language)
    messages = [f.message for f in found(INTRO, INTRO_BAD[language], language, "terms")]
    assert [m.split()[0] for m in messages] == ["'KRAS'", "'Dezerter'"]
    assert all(
        f.severity is Severity.WARNING for f in found(INTRO, INTRO_BAD[language], language, "terms")
    )


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Zesnulý německý pacifista Rudi Friedrich, jehož organizace „Connection“ pomáhá"),
        ("cs", "O Rudim Friedrichovi, jehož organizace „Connection“ pomáhá"),
        (
            "ru",
            "Покойный немецкий пацифист Руди Фридрих, чья организация «Connection» помогает",
        ),
        ("ru", "О Руди Фридрихе, чья организация «Connection» помогает"),
        (
            "uk",
            "Покійний німецький пацифіст Руді Фрідріх, чия організація «Connection» допомагає",
        ),
        (
            "sk",
            "Zosnulý nemecký pacifista Rudi Friedrich, ktorého organizácia „Connection“ pomáha",
        ),
    ],
)
def test_inflected_names_are_accepted(language: str, translation: str) -> None:
    source = (
        "The recently deceased German pacifist Rudi Friedrich, whose organisation «Connection» "
    )
    source += "helps"
    assert found(source, translation, language, "terms") == []


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Rudi Fridrich, jehož organizace „Spojení“ pomáhá"),
        ("ru", "Руди Фридман, чья организация «Соединение» помогает"),
        ("uk", "Руді Фрідман, чия організація «З'єднання» допомагає"),
        ("sk", "Rudi Fridrich, ktorého organizácia „Spojenie“ pomáha"),
    ],
)
def test_translated_or_misspelt_names_are_flagged(language: str, translation: str) -> None:
    source = "Rudi Friedrich, whose organisation «Connection» helps"
    terms = [f.message.split()[0] for f in found(source, translation, language, "terms")]
    assert terms == ["'Rudi", "'Connection'"]


@pytest.mark.parametrize(
    ("language", "translation", "flagged"),
    [
        ("cs", "Víme, že existuje organizace „Idite lesom“, která pomáhá.", False),
        ("cs", "Víme, že existuje organizace „Jděte lesem“, která pomáhá.", True),
        ("ru", "Мы знаем, что существует организация «Идите лесом», которая помогает.", False),
        ("ru", "Мы знаем, что существует организация «Иди лесом», которая помогает.", True),
        ("uk", "Ми знаємо, що існує організація «Ідіть лісом», яка допомагає.", False),
        ("uk", "Ми знаємо, що існує організація «Idite lesom», яка допомагає.", True),
        ("sk", "Vieme, že existuje organizácia „Idite Lesom“, ktorá pomáha.", False),
        ("sk", "Vieme, že existuje organizácia „Choďte lesom“, ktorá pomáha.", True),
    ],
)
def test_idite_lesom(language: str, translation: str, flagged: bool) -> None:
    source = "We know that there is an organisation called ‘Idite lesom’ that helps."
    assert bool(found(source, translation, language, "terms")) is flagged


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Počet lidí zadržených v souvislosti s kritikou války je neznámý."),
        ("ru", "Число людей, задержанных в связи с критикой войны, неизвестно."),
        ("uk", "Кількість людей, затриманих у зв'язку з критикою війни, невідома."),
        ("sk", "Počet ľudí zadržaných v súvislosti s kritikou vojny nie je známy."),
    ],
)
def test_common_word_is_not_the_name(language: str, translation: str) -> None:
    """`connection` in lowercase is the ordinary word, not the organisation «Connection»."""
    source = "The number of people detained in connection with criticism of the war is unknown."
    clean(source, translation, language)


@pytest.mark.parametrize(
    ("language", "translation", "flagged"),
    [
        ("cs", "Mnoho ruských dělníků podporuje Putinovu válečnou kampaň, jiní mlčí.", False),
        ("cs", "Mnoho ruských dělníků podporuje válečnou kampaň, jiní mlčí.", True),
        ("ru", "Многие российские рабочие поддерживают путинскую военную кампанию.", False),
        ("ru", "Многие российские рабочие поддерживают военную кампанию Путина.", False),
        ("ru", "Многие российские рабочие поддерживают военную кампанию Пуина.", True),
        ("uk", "Багато російських робітників підтримують путінську військову кампанію.", False),
        ("uk", "Багато російських робітників підтримують військову кампанію Путина.", True),
        ("sk", "Mnohí ruskí robotníci podporujú Putinovu vojnovú kampaň, iní mlčia.", False),
        ("sk", "Mnohí ruskí robotníci podporujú vojnovú kampaň, iní mlčia.", True),
    ],
)
def test_name_or_its_adjective(language: str, translation: str, flagged: bool) -> None:
    source = "Many Russian workers support Putin’s war campaign, others are silent."
    assert bool(found(source, translation, language, "terms")) is flagged


def test_acronym_keeps_its_capitals_but_may_take_an_ending() -> None:
    source = "We in the KRAS see ourselves as a small initiative group."
    assert found(source, "My v KRASu se vidíme jako malá iniciativní skupina.", "cs", "terms") == []
    assert found(source, "My v Krasu se vidíme jako malá iniciativní skupina.", "cs", "terms")
    assert found(source, "Мы в КРАСе считаем себя небольшой группой.", "ru", "terms") == []


# --- script and language -------------------------------------------------------------------------

PROPHETS = "Alas, we are not prophets! Today we see that both warring states do not want peace."


@pytest.mark.parametrize(
    ("language", "translation", "check", "severity", "start"),
    [
        (
            "ru",
            "Bohužel nejsme proroci! Dnes vidíme, že obě válčící strany mír nechtějí.",
            "script",
            Severity.ERROR,
            "mostly Latin",
        ),
        (
            "uk",
            "Žiaľ, nie sme proroci! Dnes vidíme, že oba bojujúce štáty mier nechcú.",
            "script",
            Severity.ERROR,
            "mostly Latin",
        ),
        (
            "cs",
            "Увы, мы не пророки! Сегодня мы видим, что оба воюющих государства не хотят мира.",
            "script",
            Severity.ERROR,
            "Cyrillic letters",
        ),
        (
            "sk",
            "Bohužel nejsme proroci! Dnes vidíme, že мир nechce žádný stát.",
            "script",
            Severity.ERROR,
            "Cyrillic letters",
        ),
        (
            "ru",
            "Увы, мы не прорoки! Сегодня мы видим, что оба воюющих государства не хотят мира.",
            "script",
            Severity.ERROR,
            "Latin and Cyrillic letters mixed in 'прорoки'",
        ),
        (
            "uk",
            "Увы, мы не пророки! Сегодня мы видим, что оба воюющих государства не хотят мира.",
            "language",
            Severity.ERROR,
            "probably Russian",
        ),
        (
            "uk",
            "На жаль, ми не пророки! Сьогодні мы бачимо, що обидві держави не хочуть миру.",
            "language",
            Severity.WARNING,
            "Russian letters",
        ),
        (
            "ru",
            "На жаль, ми не пророки! Сьогодні ми бачимо, що обидві держави не хочуть миру.",
            "language",
            Severity.ERROR,
            "probably Ukrainian",
        ),
        (
            "sk",
            "Bohužel nejsme proroci! Dnes vidíme, že oba válčící státy mír nechtějí.",
            "language",
            Severity.ERROR,
            "probably Czech",
        ),
        (
            "sk",
            "Žiaľ, nie sme proroci! Dnes vidíme, že obě bojujúce štáty mier nechcú.",
            "language",
            Severity.WARNING,
            "Czech letters",
        ),
        (
            "cs",
            "Žiaľ, nie sme proroci! Dnes vidíme, že oba bojujúce štáty mier nechcú.",
            "language",
            Severity.ERROR,
            "probably Slovak",
        ),
    ],
)
def test_wrong_script_or_language(
    language: str, translation: str, check: str, severity: Severity, start: str
) -> None:
    [finding] = found(PROPHETS, translation, language, check)
    assert finding.severity is severity
    assert start in finding.message


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Bohužel nejsme proroci! Dnes vidíme, že oba válčící státy mír nechtějí."),
        ("ru", "Увы, мы не пророки! Сегодня мы видим, что оба воюющих государства не хотят мира."),
        ("uk", "На жаль, ми не пророки! Сьогодні ми бачимо, що обидві держави не хочуть миру."),
        ("sk", "Žiaľ, nie sme proroci! Dnes vidíme, že oba bojujúce štáty mier nechcú."),
    ],
)
def test_right_script_and_language(language: str, translation: str) -> None:
    clean(PROPHETS, translation, language)


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Antonín Dvořák o tom napsal operu „Rusalka“."),
        ("ru", "Об этом писал Antonín Dvořák в опере «Rusalka»."),
        ("uk", "Про це писав Antonín Dvořák в опері «Rusalka»."),
        ("sk", "Antonín Dvořák o tom napísal operu „Rusalka“."),
    ],
)
def test_names_copied_from_the_source_may_keep_their_letters(
    language: str, translation: str
) -> None:
    clean("Antonín Dvořák wrote an opera about it, “Rusalka”.", translation, language)


def test_glossary_forms_may_use_the_other_script() -> None:
    source = "We know that there is an organisation called ‘Idite lesom’ that helps."
    translation = "Ми знаємо, що існує організація «Идите лесом», яка допомагає."
    clean(source, translation, "uk")  # the Russian name has ы-free Russian spelling: no alarm


# --- punctuation ---------------------------------------------------------------------------------

QUESTION = "How many people are in prison or awaiting trial?"
ANSWERS = {
    "cs": "Kolik lidí je ve vězení nebo čeká na soud",
    "ru": "Сколько людей находится в тюрьме или ожидает суда",
    "uk": "Скільки людей перебуває у в'язниці або чекає на суд",
    "sk": "Koľko ľudí je vo väzení alebo čaká na súd",
}


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk"])
def test_a_question_stays_a_question(language: str) -> None:
    clean(QUESTION, ANSWERS[language] + "?", language)
    [finding] = found(QUESTION, ANSWERS[language] + ".", language, "punctuation")
    assert finding.message == "the source is a question; this is not"
    assert finding.severity is Severity.WARNING


ELLIPSIS = "But it seems to be a long way to that…"
FAR = {
    "cs": "Zdá se ale, že k tomu vede ještě dlouhá cesta",
    "ru": "Но, похоже, до этого ещё далеко",
    "uk": "Але, здається, до цього ще далеко",
    "sk": "Zdá sa však, že k tomu vedie ešte dlhá cesta",
}


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk"])
def test_a_final_ellipsis_stays(language: str) -> None:
    clean(ELLIPSIS, FAR[language] + "…", language)
    clean(ELLIPSIS, FAR[language] + "...", language)
    [finding] = found(ELLIPSIS, FAR[language] + ".", language, "punctuation")
    assert finding.message == "the final ellipsis is missing"


BRACKETS = "Inflation for the poor (which takes into account food and medicines) reached 16%."
BRACKETED = {
    "cs": "Inflace pro chudé (která zohledňuje potraviny a léky) dosáhla 16 %.",
    "ru": "Инфляция для бедных (которая учитывает продукты и лекарства) достигла 16%.",
    "uk": "Інфляція для бідних (яка враховує продукти та ліки) досягла 16%.",
    "sk": "Inflácia pre chudobných (ktorá zohľadňuje potraviny a lieky) dosiahla 16 %.",
}


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk"])
def test_brackets_are_balanced(language: str) -> None:
    clean(BRACKETS, BRACKETED[language], language)
    [finding] = found(BRACKETS, BRACKETED[language].replace(")", ""), language, "punctuation")
    assert (finding.severity, finding.message) == (Severity.ERROR, "unbalanced ()")


def test_an_unbalanced_source_may_stay_unbalanced() -> None:
    source = "there is no way out (at least for now"
    clean(source, "není z toho cesty ven (alespoň zatím", "cs")


QUOTED = "It is the militarism of so-called “socialist” states."
QUOTES = {
    "cs": ("Je to militarismus takzvaných „socialistických“ států.", "“socialistických”"),
    "ru": ("Это милитаризм так называемых «социалистических» государств.", "“социалистических”"),
    "uk": ("Це мілітаризм так званих «соціалістичних» держав.", '"соціалістичних"'),
    "sk": ("Je to militarizmus takzvaných „socialistických“ štátov.", '"socialistických"'),
}


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk"])
def test_the_target_languages_quotation_marks(language: str) -> None:
    good, english = QUOTES[language]
    clean(QUOTED, good, language)
    word = good.split("„")[-1].split("“")[0] if "„" in good else good.split("«")[1].split("»")[0]
    bad = good.replace(f"„{word}“", english).replace(f"«{word}»", english)
    [finding] = found(QUOTED, bad, language, "quotes")
    assert finding.severity is Severity.WARNING
    assert finding.message.startswith(f"quotation marks {english[0]}…{english[-1]}")


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Je to militarismus takzvaných „socialistických států."),
        ("ru", "Это милитаризм так называемых «социалистических государств."),
        ("uk", "Це мілітаризм так званих соціалістичних» держав."),
        ("sk", "Je to militarizmus takzvaných „socialistických štátov."),
    ],
)
def test_unbalanced_quotation_marks(language: str, translation: str) -> None:
    [finding] = found(QUOTED, translation, language, "quotes")
    assert finding.message.startswith("unbalanced quotation marks")


def test_czech_reversed_guillemets_are_accepted() -> None:
    clean(QUOTED, "Je to militarismus takzvaných »socialistických« států.", "cs")


def test_straight_quotes_around_code_are_not_prose() -> None:
    source = 'msguntypot changed msgid "%s" to "%s" in %s'
    clean(source, 'msguntypot заменил msgid "%s" на "%s" в %s', "ru", ("perl-format",))


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Válka je pro kapitál příliš výnosná , a proto pokračuje."),
        ("ru", "Война слишком выгодна для капитала , поэтому она продолжается."),
        ("uk", "Війна надто вигідна для капіталу , тому вона триває."),
        ("sk", "Vojna je pre kapitál príliš výnosná , a preto pokračuje."),
    ],
)
def test_space_before_a_comma(language: str, translation: str) -> None:
    source = "War is too profitable for capital, so it goes on."
    [finding] = found(source, translation, language, "punctuation")
    assert finding.message == "space before ','"
    clean(source, translation.replace(" ,", ","), language)


# --- machine-translation damage ------------------------------------------------------------------

SLOGAN = "We adhere to the simple idea of no war except class war."


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk"])
def test_output_equal_to_the_source(language: str) -> None:
    [finding] = found(SLOGAN, SLOGAN, language, "unchanged")
    assert finding.severity is Severity.ERROR
    assert len(check_translation(SLOGAN, SLOGAN, language)) == 1  # no script finding on top


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk"])
def test_a_capitalised_sentence_left_unchanged(language: str) -> None:
    source = 'Press <gui style="button">Alarms</gui>.'
    assert [f.check for f in check_translation(source, source, language)] == ["unchanged"]


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk"])
@pytest.mark.parametrize(
    "source",
    ["Michael Hill", "Ping Ping", "Start", "St_art", "3 m", "KRAS", "docbook: DocBook XML."],
)
def test_names_and_labels_may_stay_as_they_are(language: str, source: str) -> None:
    clean(source, source, language)


@pytest.mark.parametrize(
    ("language", "translation", "phrase"),
    [
        ("cs", "Jsme proti válce válce válce válce.", "'válce' 4 times"),
        ("ru", "Мы против войны, войны, войны и армий.", "'войны' 3 times"),
        ("uk", "Ми проти будь-яких воєн і армій і армій і армій.", "'і армій' 3 times"),
        (
            "sk",
            "Sme proti vojnám a armádam proti vojnám a armádam.",
            "'proti vojnám a armádam' 2 times",
        ),
    ],
)
def test_repeated_words_and_phrases(language: str, translation: str, phrase: str) -> None:
    source = "We are against any wars and armies."
    [finding] = found(source, translation, language, "repeated")
    assert finding.severity is Severity.ERROR
    assert finding.message.startswith(phrase)


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Ha ha ha, řekl, a tak tak zůstalo."),
        ("ru", "Ха-ха-ха, сказал он, и так так и осталось."),
        ("uk", "Ха ха ха, сказав він, і так так і залишилося."),
        ("sk", "Ha ha ha, povedal, a tak tak zostalo."),
    ],
)
def test_repetition_in_the_source_or_doubled_words_are_fine(
    language: str, translation: str
) -> None:
    assert found("Ha ha ha, he said, and so it stayed.", translation, language, "repeated") == []


def test_repeated_pattern_around_placeholders_is_not_damage() -> None:
    source = "Directory '%s' not found in '%s' nor in '%s' nor in '%s'."
    translation = "Каталог '%s' не найден ни в '%s', ни в '%s', ни в '%s'."
    clean(source, translation, "ru", ("perl-format",))


LONG = (
    "Human rights activists cite the following figures about those detained in connection "
    "with criticism of the war."
)
LONG_GOOD = {
    "cs": "Ochránci lidských práv uvádějí následující údaje o lidech zadržených v souvislosti "
    "s kritikou války.",
    "ru": "Правозащитники приводят следующие данные о задержанных в связи с критикой войны.",
    "uk": "Правозахисники наводять такі дані про затриманих у зв'язку з критикою війни.",
    "sk": "Ochrancovia ľudských práv uvádzajú nasledujúce údaje o ľuďoch zadržaných v súvislosti "
    "s kritikou vojny.",
}


@pytest.mark.parametrize("language", ["cs", "ru", "uk", "sk"])
def test_length_far_from_the_source(language: str) -> None:
    good = LONG_GOOD[language]
    clean(LONG, good, language)
    cut = good[: len(LONG) // 3]
    [short] = found(LONG, cut, language, "length")
    assert short.severity is Severity.WARNING
    assert short.message.startswith("too short")
    runaway = " ".join([good] * 4)
    assert [f.message[:8] for f in found(LONG, runaway, language, "length")] == ["too long"]


def test_length_band_comes_from_the_measurement() -> None:
    low, high = length_band("uk")
    assert (low, high) == length_band("ru")
    assert 0.45 < low < 0.55 and 2.3 < high < 2.45
    assert (
        found("Too short to judge.", "Příliš krátké na posouzení, opravdu příliš.", "cs", "length")
        == []
    )


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Držíme se jednoduché myšlenky no war except class war."),
        ("ru", "Мы придерживаемся простой идеи no war except class war."),
        ("uk", "Ми дотримуємося простої ідеї no war except class war."),
        ("sk", "Držíme sa jednoduchej myšlienky no war except class war."),
    ],
)
def test_english_left_in_the_translation(language: str, translation: str) -> None:
    [finding] = found(SLOGAN, translation, language, "english")
    assert finding.severity is Severity.WARNING
    assert "'no war except class war'" in finding.message


@pytest.mark.parametrize(
    ("language", "translation"),
    [
        ("cs", "Držíme se jednoduché myšlenky „no war except class war“."),
        ("ru", "Мы придерживаемся простой идеи «no war except class war»."),
        ("uk", "Ми дотримуємося простої ідеї «no war except class war»."),
        ("sk", "Držíme sa jednoduchej myšlienky „no war except class war“."),
    ],
)
def test_a_quoted_english_slogan_is_a_quotation(language: str, translation: str) -> None:
    source = "We adhere to the simple idea of “no war except class war”."
    clean(source, translation, language)


# --- the glossary file ---------------------------------------------------------------------------


def test_the_project_glossary() -> None:
    terms = {term.english: term for term in GLOSSARY.terms}
    assert {"KRAS", "IWA-AIT", "Dezerter", "Idite Lesom", "Rudi Friedrich", "Connection"} <= set(
        terms
    )
    assert terms["KRAS"].expected("cs") == ("KRAS",)  # empty cell: keep as is
    assert terms["KRAS"].expected("ru") == ("КРАС", "KRAS")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "glossary is empty"),
        ("english,cs\nKRAS,KRAS\n", 1, "glossary header"),
        ("en,cs,ru\nKRAS,,КРАС\nDezerter,Dezerter\n", 3, "row has 2 cells, the header has 3"),
        ("en,cs\nKRAS,\n\nKRAS,KRAS\n", 4, "duplicate term 'KRAS' (first at line 2)"),
        ("en,cs\n,KRAS\n", 2, "empty English term"),
        ('en,cs\nKRAS,"KRAS\n', 2, "bad CSV"),
    ],
)
def test_bad_glossary_names_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "glossary.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_glossary(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert message in caught.value.message


def test_glossary_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "glossary.csv"
    path.write_bytes("en,cs\nKRAS,KRAS\nDezerter,Dezertér\n".encode("cp1250"))
    with pytest.raises(ConfigError) as caught:
        load_glossary(path)
    assert (caught.value.line, caught.value.message) == (3, "glossary is not UTF-8")


def test_missing_glossary(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_glossary(tmp_path / "glossary.csv")


def test_glossary_alternatives_and_bom() -> None:
    glossary = parse_glossary("\ufeffen,uk\nIdite Lesom, Идите лесом | Ідіть лісом \n", display="g")
    assert glossary.terms[0].expected("uk") == ("Идите лесом", "Ідіть лісом")
    assert isinstance(glossary, Glossary)


# --- catalogs and msgfmt -------------------------------------------------------------------------

SK_CATALOG = """\
msgid ""
msgstr ""
"Project-Id-Version: doc\\n"
"PO-Revision-Date: 2025-11-20 10:00+0100\\n"
"Last-Translator: Reviewer <reviewer@example.org>\\n"
"Language-Team: Slovak\\n"
"Language: sk\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=3; plural=(n==1) ? 1 : (n>=2 && n<=4) ? 2 : 0;\\n"

#. paragraph 1, sentence 1
#: source/kras-interview.txt:1
msgid "In total, 20,081 people were detained."
msgstr "Celkovo bolo zadržaných 20.081 ľudí."

# mt: argos translate-en_sk 1.0 0123456789ab
#, fuzzy
msgid "Alas, we are not prophets!"
msgstr "Bohužel nejsme věštci!"

msgid "Untranslated entries are skipped."
msgstr ""

#, c-format
msgid "%d minute"
msgid_plural "%d minutes"
msgstr[0] "%d minút minút minút"
msgstr[1] "%d minúta"
msgstr[2] "%d minúty"

msgid "translator-credits"
msgstr "Dušan Kazik <prescott66@gmail.com>"

#~ msgid "Obsolete entries are skipped too."
#~ msgstr "Obsolete entries are skipped too."
"""


def test_check_catalog_fills_in_file_line_and_msgid() -> None:
    catalog = parse_catalog(SK_CATALOG.encode(), display="locales/sk/doc.po")
    findings = check_catalog(catalog, "sk", glossary=GLOSSARY, display="locales/sk/doc.po")
    got = [(f.line, f.check, f.severity, f.msgid) for f in findings]
    assert got == [
        (13, "numbers", Severity.ERROR, "In total, 20,081 people were detained."),
        (18, "language", Severity.ERROR, "Alas, we are not prophets!"),
        (26, "repeated", Severity.ERROR, "%d minute"),
    ]
    assert all(f.file == "locales/sk/doc.po" and f.language == "sk" for f in findings)
    assert findings[2].message == "msgstr[0]: 'minút' 3 times in a row"


def test_plural_forms_are_compared_with_singular_or_plural_source() -> None:
    """Slovak GNOME catalogs put n == 1 in msgstr[1]; that form is checked against the msgid."""
    text = SK_CATALOG.replace('msgstr[0] "%d minút minút minút"', 'msgstr[0] "%d minút"')
    text = text.replace('msgid "%d minute"', 'msgid "One minute, that is 1 minute"')
    text = text.replace('msgstr[1] "%d minúta"', 'msgstr[1] "Jedna minúta, teda 1 minúta"')
    text = text.replace('msgid_plural "%d minutes"', 'msgid_plural "%d minutes, really"')
    catalog = parse_catalog(text.encode(), display="doc.po")
    findings = [f for f in check_catalog(catalog, "sk", display="doc.po") if f.line == 26]
    assert findings == []  # `1` is found in msgstr[1]; msgstr[0] and [2] are checked against %d


def test_msgfmt_findings(tmp_path: Path) -> None:
    good = tmp_path / "good.po"
    good.write_text(SK_CATALOG, encoding="utf-8")
    assert msgfmt_findings(good, "good.po") == []
    bad = tmp_path / "bad.po"
    bad.write_text(SK_CATALOG.replace('msgstr[1] "%d minúta"', 'msgstr[1] "%s minúta"'), "utf-8")
    [finding] = msgfmt_findings(bad, "locales/sk/bad.po")
    assert (finding.check, finding.severity, finding.file, finding.line) == (
        "format",
        Severity.ERROR,
        "locales/sk/bad.po",
        29,  # the line msgfmt reports: where the msgstr[] forms start
    )
    assert "format specifications" in finding.message


def test_msgfmt_finds_syntax_errors_with_their_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.po"
    broken.write_text(SK_CATALOG.replace('msgid "Untranslated', "msgid Untranslated"), "utf-8")
    findings = msgfmt_findings(broken, "broken.po")
    assert findings and all(f.severity is Severity.ERROR for f in findings)
    assert findings[0].line == 23


def test_msgfmt_header_warnings_are_not_findings(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.po"
    fresh.write_text(
        SK_CATALOG.replace("Reviewer <reviewer@example.org>", "FULL NAME <EMAIL@ADDRESS>"), "utf-8"
    )
    assert msgfmt_findings(fresh, "fresh.po") == []


# --- the command ---------------------------------------------------------------------------------

PYPROJECT = """\
[tool.pipeline]
target_languages = ["cs", "ru", "uk", "sk"]
"""
RU_CATALOG = (
    SK_CATALOG.replace("Language: sk", "Language: ru")
    .replace("Language-Team: Slovak", "Language-Team: Russian")
    .replace(
        "plural=(n==1) ? 1 : (n>=2 && n<=4) ? 2 : 0;",
        "plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 "
        ": 2);",
    )
    .replace("Celkovo bolo zadržaných 20.081 ľudí.", "Всего задержано 20 081 человек.")
    .replace("Bohužel nejsme věštci!", "Увы, мы не пророки!")
    .replace("%d minút minút minút", "%d минута")
    .replace("%d minúta", "%d минуты")
    .replace("%d minúty", "%d минут")
)


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for language in ("sk", "ru"):
        (root / "locales" / language).mkdir(parents=True)
    (root / "source").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "locales" / "glossary.csv").write_bytes(
        (REPO / "locales" / "glossary.csv").read_bytes()
    )
    (root / "locales" / "sk" / "doc.po").write_text(SK_CATALOG, encoding="utf-8")
    (root / "locales" / "ru" / "doc.po").write_text(RU_CATALOG, encoding="utf-8")
    return root


def test_pipeline_check_lines_and_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path)
    assert main(["--project", str(root), "check"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "locales/sk/doc.po:13: error: numbers: 20.081 has an English separator; "
        'Slovak writes 20 081 ["In total, 20,081 people were detained."]',
        "locales/sk/doc.po:18: error: language: probably Czech, not Slovak: it has ě "
        '["Alas, we are not prophets!"]',
        "locales/sk/doc.po:26: error: repeated: msgstr[0]: 'minút' 3 times in a row "
        '["%d minute"]',
    ]
    assert "3 finding(s), 3 error(s), in 2 catalog(s)" in err
    assert main(["--project", str(root), "check", "--lang", "ru"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "0 finding(s), 0 error(s), in 1 catalog(s)" in err


def test_pipeline_check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    assert main(["--project", str(root), "check", "--json", "--lang", "sk"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["line"], r["check"], r["severity"]) for r in rows] == [
        ("locales/sk/doc.po", 13, "numbers", "error"),
        ("locales/sk/doc.po", 18, "language", "error"),
        ("locales/sk/doc.po", 26, "repeated", "error"),
    ]
    assert rows[0]["msgid"] == "In total, 20,081 people were detained."
    assert rows[0]["language"] == "sk"


def test_pipeline_check_warnings_only_exit_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path)
    po = root / "locales" / "sk" / "doc.po"
    text = po.read_text(encoding="utf-8").replace("20.081", "20 081")
    text = text.replace("Bohužel nejsme věštci!", 'Žiaľ, nie sme \\"proroci\\"!')
    text = text.replace("%d minút minút minút", "%d minút")
    po.write_text(text, encoding="utf-8")
    assert main(["--project", str(root), "check", "--lang", "sk"]) == 0
    assert capsys.readouterr().out == (
        'locales/sk/doc.po:18: warning: quotes: quotation marks "…": Slovak uses „…“ or »…«'
        ' ["Alas, we are not prophets!"]\n'
    )


def test_pipeline_check_reports_msgfmt_and_a_bad_glossary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path)
    po = root / "locales" / "ru" / "doc.po"
    po.write_text(po.read_text("utf-8").replace('"%d минуты"', '"%s минуты"'), "utf-8")
    assert main(["--project", str(root), "check", "--lang", "ru"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("locales/ru/doc.po:29: error: format: ")
    (root / "locales" / "glossary.csv").write_text("en,cs\nKRAS\n", encoding="utf-8")
    assert main(["--project", str(root), "check"]) == 2
    err = capsys.readouterr().err
    assert "glossary.csv:2: row has 1 cells, the header has 2" in err
