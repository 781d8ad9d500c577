"""Extracting and merging the catalogues: one definition for `make translations` and for the tests.

`python -m app.i18n_extract` writes app/translations/messages.pot from the code, templates and the demo
county's service text, then merges it into every language's messages.po (new strings arrive empty, to
be translated; strings no longer used are dropped). tests/test_translations.py extracts the same way
and fails on anything missing, fuzzy or not compiled.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from app.demo import county

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
SOURCES = ("app", "notifications")  # the only folders with text residents read
REVIEW_NOTE = "review: awaiting council review"


def demo_catalogue(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    """A Babel extractor for the demo county's catalogue text (babel.cfg names it for county.py).

    Service names, summaries, documents to have ready and the Registration signpost live in the
    database, copied from app/demo/county.py; residents read them in the journey and in every message.
    This puts each one in the catalogues (app.i18n.catalogue_text looks them up) without marking every
    field of the reference data by hand."""
    for service in county.SERVICES:
        name, documents, summary = service[1], service[8], service[9]
        yield 1, None, name, ["A service's name, as residents see it"]
        yield 1, None, summary, ["What the service is for"]
        for line in documents.splitlines():
            if line.strip():
                yield 1, None, line.strip(), [f"Something to have ready for: {name}"]
    for code, keywords in county.KEYWORDS.items():
        yield 1, None, keywords, [f"Other words people use for the service {code}, comma-separated (search)"]
    _code, name, signpost = county.REGISTRATION
    yield 1, None, name, ["A service booked elsewhere"]
    yield 1, None, signpost, []


def _wanted(path: str) -> bool:
    relative = os.path.relpath(path, ROOT)
    return relative == "." or relative.split(os.sep)[0] in SOURCES and "__pycache__" not in relative


def extract() -> Catalog:
    """Every string residents may read, as a catalogue template."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalogue = Catalog(project="Doorstep", msgid_bugs_address="", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, KEYWORDS, ("Translators:",), directory_filter=_wanted
    ):
        catalogue.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalogue


def languages() -> list[str]:
    return sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / "messages.po").exists())


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    with open(po_path(locale), "rb") as file:
        return read_po(file, locale=locale)


def untranslated(message: Any) -> bool:
    """No translation yet: an empty msgstr or, for a message with plural forms, any form empty."""
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not all(forms)


def update() -> None:
    """Files without line numbers, so moving code does not touch every catalogue (fewer merge conflicts)."""
    template = extract()
    with open(TEMPLATE, "wb") as file:
        write_po(file, template, width=0, sort_by_file=True, include_lineno=False)
    for locale in languages():
        catalogue = read(locale)
        catalogue.update(template, no_fuzzy_matching=True)
        for message in catalogue:
            if message.id and untranslated(message) and REVIEW_NOTE not in message.user_comments:
                message.user_comments.append(REVIEW_NOTE)  # translated here, then read by the council
        with open(po_path(locale), "wb") as file:
            write_po(file, catalogue, width=0, ignore_obsolete=True, include_lineno=False)


if __name__ == "__main__":
    update()
