"""Phrases whose words depend on a number or on which language is named, in the page's language.

A sentence cannot just take a number or a language's name as a value: Polish says "1 milę", "2 mile",
"5 mil" and, for a fraction, "1,2 mili"; "w języku polskim", not "w języku: Polski". These build such
phrases from the catalogue's plural forms (ngettext) and its own words for each language, so the
sentences around them stay the same in every language.
"""

from __future__ import annotations

from babel import Locale
from flask_babel import gettext, ngettext, pgettext

from app.i18n import _l, current_locale, format_number, supported

# "in <language>", said in the page's language. The language's own name (Polski, नेपाली) is what
# a language choice shows; inside a sentence the page's language names it with its own grammar.
IN_LANGUAGE = {
    # Translators: inside a sentence: "We will write to you in English". Polish: "w języku angielskim".
    "en": _l("in English"),
    # Translators: inside a sentence: "We will write to you in Polish". Polish: "w języku polskim".
    "pl": _l("in Polish"),
    # Translators: inside a sentence: "We will write to you in Nepali". Polish: "w języku nepalskim".
    "ne": _l("in Nepali"),
}


def in_language(locale: str) -> str:
    """'in Polish' on an English page, 'w języku polskim' on a Polish one."""
    return str(IN_LANGUAGE[supported(locale)])


def miles_away(miles: float, places: int = 1) -> str:
    """'1 mile away', '2.5 miles away', '1,2 mili stąd'. A whole number takes the catalogue's plural
    forms; gettext's forms are for whole numbers only, so a fraction has a message of its own (Polish
    puts any fraction in the genitive singular: "0,5 mili", "2,5 mili")."""
    rounded = round(miles, places)
    if rounded == int(rounded):
        whole = int(rounded)
        return ngettext(
            "%(miles)s mile away",
            "%(miles)s miles away",
            whole,
            miles=format_number(whole, 0, current_locale()),
        )
    # Translators: a distance with a fraction, such as 1.2. Polish: the genitive singular, "1,2 mili stąd".
    return pgettext(
        "fraction", "%(miles)s miles away", miles=format_number(rounded, places, current_locale())
    )


def kiosk_clears_in(milliseconds: int) -> str:
    """The kiosk's "are you still there?" warning: how long until the screen clears, said from the same
    setting (KIOSK_RESET_AFTER_MS) the page's timer counts down, in whole minutes when it is some,
    else in seconds: "... in 30 seconds ...", "... in 2 minutes ...", "... za 1 minutę ..."."""
    seconds = max(1, int(milliseconds / 1000 + 0.5))
    if seconds % 60 == 0:
        return ngettext(
            "This screen will clear in %(num)s minute to keep your details private.",
            "This screen will clear in %(num)s minutes to keep your details private.",
            seconds // 60,
        )
    return ngettext(
        "This screen will clear in %(num)s second to keep your details private.",
        "This screen will clear in %(num)s seconds to keep your details private.",
        seconds,
    )


def _example_numbers(locale: str) -> dict[str, int]:
    """A whole number for each plural category (CLDR) the language uses: Polish one 1, few 2, many 0."""
    rule = Locale.parse(locale).plural_form
    examples: dict[str, int] = {}
    for number in range(200):
        examples.setdefault(rule(number), number)
    examples.setdefault("other", 100)  # the component's fallback, required (Polish uses it for fractions)
    return examples


def character_count(limit: int) -> dict:
    """The GOV.UK character count's parameters, in the page's language. Without JavaScript it is a hint
    ("You can enter up to 500 characters"); with it, a running count, whose words the component picks
    by the page language's plural rules (Intl.PluralRules): one message for each of its categories,
    taken from the catalogue's plural forms."""
    locale = current_locale()
    examples = _example_numbers(locale).items()
    return {
        "maxlength": limit,
        "textareaDescriptionText": ngettext(
            "You can enter up to %(count)s character",
            "You can enter up to %(count)s characters",
            limit,
            count=format_number(limit, 0, locale),
        ),
        "charactersUnderLimitText": {
            category: ngettext(
                "You have %(count)s character remaining",
                "You have %(count)s characters remaining",
                number,
                count="%{count}",  # the component's placeholder
            )
            for category, number in examples
        },
        "charactersAtLimitText": gettext("You have 0 characters remaining"),
        "charactersOverLimitText": {
            category: ngettext(
                "You have %(count)s character too many",
                "You have %(count)s characters too many",
                number,
                count="%{count}",
            )
            for category, number in examples
        },
    }


def retention_period(days: int) -> str:
    """How long personal details are kept, as people say it: '2 years' for 730 days, else in days."""
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(count)s year", "%(count)s years", years, count=years)
    return ngettext("%(count)s day", "%(count)s days", days, count=days)
