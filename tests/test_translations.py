"""The catalogues are complete, current and compiled: CI fails on a string a resident would see in
English in the middle of a Polish or Nepali page, on a fuzzy guess, or on a .mo older than its .po."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from app.i18n import LANGUAGES, TRANSLATIONS_DIR
from app.i18n_extract import REVIEW_NOTE, extract, languages, po_path, read, untranslated

TRANSLATED = sorted(set(LANGUAGES) - {"en"})  # English is the source text


@pytest.fixture(scope="module")
def template():
    return extract()


def test_every_language_we_offer_has_a_catalogue_and_no_other():
    assert languages() == TRANSLATED


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_string_is_translated_and_none_is_fuzzy(template, locale):
    catalogue = read(locale)
    missing = [m.id for m in template if m.id and catalogue.get(m.id, context=m.context) is None]
    assert missing == [], f"{locale}: not in the .po (run `make translations`, then translate): {missing[:5]}"
    empty = [m.id for m in catalogue if m.id and untranslated(m)]  # every plural form too
    assert empty == [], f"{locale}: untranslated: {empty[:5]}"
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert fuzzy == [], f"{locale}: fuzzy (a guess nobody checked): {fuzzy[:5]}"
    assert not catalogue.fuzzy, f"{locale}: the catalogue's header is marked fuzzy"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_every_placeholder(locale):
    """Babel's own checks: a translation that drops or renames %(reference)s would fail at send time."""
    catalogue = read(locale)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalogue.check()]
    assert problems == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_no_translation_is_left_unmarked_for_review(locale):
    """Every translation says where it stands with the council (app/translations/REVIEW.md)."""
    unmarked = [
        m.id for m in read(locale) if m.id and not any(c.startswith("review:") for c in m.user_comments)
    ]
    assert unmarked == [], f"{locale}: add '# {REVIEW_NOTE}' (or the council's approval): {unmarked[:5]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_compiled_catalogue_matches_its_po_file(locale):
    """`make setup` compiles each .po; a .mo built from an older .po would show old wording."""
    mo_file = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.mo"
    assert mo_file.exists(), f"{mo_file} is missing: run `make setup`"
    with open(mo_file, "rb") as file:
        compiled = {k: v for k, v in Translations(file)._catalog.items() if k}  # "" is the header
    with open(po_path(locale), "rb") as file:
        messages = [m for m in read_po(file, locale=locale) if m.id and m.string and not m.fuzzy]
    expected = {}
    for m in messages:  # keyed as gettext keys them: "context\x04msgid"; a plural's forms (msgid, n)
        context = f"{m.context}\x04" if m.context else ""
        if isinstance(m.id, tuple):
            expected.update({(context + m.id[0], n): form for n, form in enumerate(m.string)})
        else:
            expected[context + m.id] = m.string
    assert compiled == expected, f"{locale}: the .mo is out of date: run `make setup`"


def test_polish_calls_the_officer_by_one_word_on_every_page():
    """Evening walk: the time page's "Proponowany: urzędnik będzie wtedy w pobliżu" among pages that
    all say "pracownik" for the officer (the confirmation's "Pracownik", "Co powinien wiedzieć
    pracownik"): a resident reads two words as two people."""
    said = [m.string for m in read("pl") if m.id and m.string]
    texts = [s for string in said for s in (string if isinstance(string, tuple) else (string,))]
    assert [t for t in texts if "urzędnik" in t.lower()] == []
    assert any("pracownik" in t.lower() for t in texts)
