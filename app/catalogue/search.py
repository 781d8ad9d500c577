"""Finding a service by what people type: words in any order, near misspellings, and the plain words
kept with each service in the catalogue (Service.keywords: "skip, sofa, fridge" for bulky waste),
in the page's language as well as in English.

Each word typed is matched against the words of a service's name, summary and keywords: the same
word, the start of one ("bene" for benefit), one that starts it ("renewal" for renew) or, for words
of four letters or more, a close spelling (difflib: "counsil" for council, "buss" for bus). The
services matching the most words typed come first, and only the best of those are shown: "tax"
finds council tax, not a taxi licence. Used by the resident journey and the agent's service picker.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable

from app.models import Service

# Words that say nothing about which service (English, Polish, Nepali).
STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "the", "of", "for", "to", "my", "i", "me", "we", "our", "need", "want"),
        *("with", "on", "in", "at", "about", "get", "please", "is", "it", "some"),
        *("w", "z", "na", "do", "o", "od", "po", "dla", "sie", "moj", "moja", "moje"),
        *("mam", "chce", "potrzebuje"),  # as words() folds them: no Polish letters
        *("मेरो", "म", "को", "का", "की", "मा", "र", "लागि", "चाहियो", "छ"),
    }
)
CLOSE = 0.75  # difflib's ratio for a misspelling: counsil ~ council 0.86, buss ~ bus 0.86
WORD = re.compile(r"(?:\w|[\u0900-\u0963\u0966-\u097f])+")  # Devanagari's vowel signs inside words


def words(text: str) -> list[str]:
    """Lower-case words, Latin letters without accents (Polish typed without them still matches)."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("ł", "l"))
    plain = "".join(
        c for i, c in enumerate(folded) if not (unicodedata.combining(c) and i and folded[i - 1] < "\u0250")
    )
    return WORD.findall(unicodedata.normalize("NFC", plain))


def find_services(
    services: Iterable[Service], query: str, translate: Callable[[str], str] = str
) -> list[Service]:
    """The services that best match `query`, best first (catalogue order among equals); none when no
    word matches. `translate` gives catalogue text in the reader's language (app.i18n.catalogue_text)."""
    typed = words(query)
    wanted = [w for w in typed if w not in STOP_WORDS] or typed
    if not wanted:
        return []
    scored = []
    for order, service in enumerate(services):
        vocabulary = _vocabulary(service, translate)
        qualities = [_match(word, vocabulary) for word in wanted]
        matched = sum(1 for q in qualities if q)
        if matched:
            scored.append((matched, sum(qualities), order, service))
    if not scored:
        return []
    most = max(s[0] for s in scored)
    best = max(s[1] for s in scored if s[0] == most)
    kept = [s for s in scored if s[0] == most and s[1] >= best - 0.04]  # exact beats a near miss
    return [s[3] for s in sorted(kept, key=lambda s: (-s[1], s[2]))]


def _vocabulary(service: Service, translate: Callable[[str], str]) -> set[str]:
    texts = [service.name, service.summary or "", service.keywords or ""]
    return {
        w for text in texts for version in {text, translate(text) if text else ""} for w in words(version)
    }


def _match(word: str, vocabulary: set[str]) -> float:
    """How well one typed word matches a service's words: 1 the same, less for a start, a stem or a
    close spelling, 0 none."""
    if word in vocabulary:
        return 1.0
    if len(word) >= 3 and any(w.startswith(word) for w in vocabulary):
        return 0.95
    if any(len(w) >= 4 and word.startswith(w) for w in vocabulary):
        return 0.9
    if len(word) >= 4:
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=CLOSE)
        if close:
            return 0.9 * difflib.SequenceMatcher(None, word, close[0]).ratio()
    return 0.0
