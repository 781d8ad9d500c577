"""A Babel extractor for the demo county's catalogue text (babel.cfg names it for app/demo/county.py).

Service names, summaries, documents to have ready and the Registration signpost live in the database,
copied from app/demo/county.py; residents read them in the booking journey and in every message. This
puts each one in the catalogues so they can be translated (app.i18n.catalogue_text looks them up)
without marking every field of the reference data by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def demo_catalogue(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    from app.demo import county

    for service in county.SERVICES:
        name, documents, summary = service[1], service[8], service[9]
        yield 1, None, name, ["A service's name, as residents see it"]
        yield 1, None, summary, ["What the service is for"]
        for line in documents.splitlines():
            if line.strip():
                yield 1, None, line.strip(), [f"Something to have ready for: {name}"]
    _code, name, signpost = county.REGISTRATION
    yield 1, None, name, ["A service booked elsewhere"]
    yield 1, None, signpost, []
