"""Languages: residents' pages and every message to them in English, Polish or Nepali (Flask-Babel).

The resident chooses on the first page (or their browser asks for one of ours); the choice is kept in
the session and, at booking, on the customer record, so every later message uses it. Staff pages stay
in English. Catalogues are in app/translations (`make translations` extracts and updates them; setup
compiles them). Polish and Nepali await the council's review: see app/translations/REVIEW.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.support import Translations
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale, gettext, lazy_gettext, refresh

DEFAULT = "en"
# Each language named in itself: someone who reads only that language must find it.
LANGUAGES = {"en": "English", "pl": "Polski", "ne": "नेपाली"}
IN_ENGLISH = {"en": "English", "pl": "Polish", "ne": "Nepali"}  # the same, as staff pages name them
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
SESSION_KEY = "locale"
# Pages residents use: they speak the resident's language. Everything else is a staff page, in English.
RESIDENT_BLUEPRINTS = {
    "public", "booking", "manage", "kiosk", "kiosk_calls", "waitlist", "feedback", "hubs", "inclusion",
}  # fmt: skip

babel = Babel()
_l = lazy_gettext  # for text fixed when a module loads (form labels, error messages)


def supported(locale: str | None) -> str:
    """The language code if it is one of ours, else English."""
    return locale if locale in LANGUAGES else DEFAULT


def _select_locale() -> str:
    if not has_request_context():
        return DEFAULT
    if request.blueprint is not None and request.blueprint not in RESIDENT_BLUEPRINTS:
        return DEFAULT
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT


def current_locale() -> str:
    return supported(str(get_locale() or DEFAULT))


def choose(locale: str) -> str:
    """Keep the resident's choice for the rest of their visit."""
    session[SESSION_KEY] = supported(locale)
    return session[SESSION_KEY]


def adopt(locale: str) -> None:
    """A resident who has not chosen (e.g. opening the link from a text) gets their recorded language."""
    if SESSION_KEY not in session and locale in LANGUAGES:
        session[SESSION_KEY] = locale
        refresh()


@lru_cache(maxsize=8)
def translations(locale: str) -> Translations:
    """The catalogue for one language, for messages built outside a request (the outbox, jobs)."""
    return Translations.load(str(TRANSLATIONS_DIR), [supported(locale)])


def gettext_for(locale: str) -> Callable[[str], str]:
    """gettext in one language, whatever the page's: what notifications/ is handed to word a message."""
    return translations(locale).gettext


def catalogue_text(text: str) -> str:
    """Text from the database (a service's name, a document to bring) in the page's language, when
    the catalogue has it (the demo county's are extracted by app.i18n_extract); else as entered."""
    return gettext(text) if text else ""


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=_select_locale, default_locale=DEFAULT)
    app.jinja_env.filters["translated"] = catalogue_text

    @app.context_processor
    def _language_globals():
        resident_page = has_request_context() and request.blueprint in RESIDENT_BLUEPRINTS
        return {"current_locale": current_locale(), "languages": LANGUAGES, "language_choice": resident_page}


def format_number(number: float, places: int = 1, locale: str = "en") -> str:
    """A number as the language writes it (CLDR, through Babel): 1.4 in English, 1,4 in Polish; the
    digits stay 0-9."""
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(round(number, places), format=pattern, locale=locale)
