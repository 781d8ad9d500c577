"""Finding a service by what people type: words in any order, near misspellings, and the plain words
kept with each service in the catalogue (Service.keywords: "skip, sofa, fridge" for bulky waste),
in the page's language as well as in English.

Each word typed is matched against the words of a service's name, summary and keywords: the same
word, the start of one ("bene" for benefit), one that starts it ("renewal" for renew) or, for words
of four letters or more, a close spelling (difflib: "counsil" for council, "buss" for bus). The
services matching the most words typed come first, and only the best of those are shown: "tax"
finds council tax, not a taxi licence. Among those, what was typed being one of the service's own
phrases (its name, or one of its keywords whole: "bus" is a keyword of the bus pass) comes first, then
every word typed being in its name, then the rest: "bus" puts the bus pass above school transport
(whose keywords say "school bus"). A phrase of two words or more that is a service's own is shown
alone: "blue badge" is not also a bus pass for sharing "badge" or "karta" in Polish. Used by the
resident journey and the agent's service picker.

The public can search without signing in, so a search costs little whatever is typed: only the first
MAX_WORDS words count, each cut to MAX_WORD_LENGTH letters, counted after normalising (one "ﷺ" is four
words), and each service's words are worked out once per catalogue version and language, not on every
search (the catalogue's version: app/catalogue/cached.py).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.catalogue.cached import catalogue
from app.extensions import db
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
MAX_WORDS, MAX_WORD_LENGTH = 8, 30
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
    services: Iterable[Service], query: str, translate: Callable[[str], str] = str, language: str = ""
) -> list[Service]:
    """The services that best match `query`, best first (catalogue order among equals); none when no
    word matches. `translate` gives catalogue text in the reader's language (app.i18n.catalogue_text),
    `language` names that language (the services' words are kept by it)."""
    wanted = searched_words(query)
    if not wanted:
        return []
    vocabularies = _vocabularies(translate, language)
    scored = []
    for order, service in enumerate(services):
        vocabulary = vocabularies.get(service.id)
        if vocabulary is None:
            vocabulary = vocabularies[service.id] = _vocabulary(service, translate)
        qualities = [_match(word, vocabulary.words) for word in wanted]
        matched = sum(1 for q in qualities if q)
        if matched:
            scored.append((matched, sum(qualities), _rank(wanted, vocabulary), order, service))
    if not scored:
        return []
    most = max(s[0] for s in scored)
    best = max(s[1] for s in scored if s[0] == most)
    kept = [s for s in scored if s[0] == most and s[1] >= best - 0.04]  # exact beats a near miss
    if len(wanted) > 1 and any(s[2] == 2 for s in kept):
        # A phrase of several words that is a service's own (its name, a keyword whole: "niebieska
        # karta" for the Blue Badge) says which service: others that merely share its words are left out.
        kept = [s for s in kept if s[2] == 2]
    return [s[4] for s in sorted(kept, key=lambda s: (-s[2], -s[1], s[3]))]


def _rank(wanted: list[str], vocabulary: Vocabulary) -> int:
    """2: what was typed is one of the service's phrases (its name, or a keyword, whole, in any word
    order; a plural for its word); 1: every word typed is in its name; 0: found otherwise (its
    summary, some of a keyword's words, a start of a word, a close spelling)."""
    typed = frozenset(
        word if word in vocabulary.words else _singular(word, vocabulary.words) for word in wanted
    )
    if typed in vocabulary.phrases:
        return 2
    return 1 if typed <= vocabulary.name else 0


def searched_words(query: str) -> list[str]:
    """The words of `query` a search looks for: no stop words (unless there is nothing else), and at
    most MAX_WORDS of them, each of at most MAX_WORD_LENGTH letters."""
    typed = [w[:MAX_WORD_LENGTH] for w in words(query)]
    return ([w for w in typed if w not in STOP_WORDS] or typed)[:MAX_WORDS]


@dataclass(frozen=True)
class Vocabulary:
    """A service's words, worked out once per catalogue version and language (in English and in it)."""

    words: frozenset[str]  # every word of its name, summary and keywords
    name: frozenset[str]  # the words of its name
    phrases: frozenset[frozenset[str]]  # its name and each of its keywords, as sets of words


Vocabularies = dict[int, Vocabulary]  # by service id
_cached: dict[tuple[str, str, Callable[[str], str]], tuple[str, Vocabularies]] = {}


def _vocabularies(translate: Callable[[str], str], language: str) -> Vocabularies:
    """The services' words for this catalogue version and language: kept while the version lasts (a
    catalogue change gives a new one), filled in as services are searched."""
    version = catalogue().version
    if version is None:
        return {}  # no version row (a database being set up): nothing to tell a change by, so nothing kept
    key = (db.engine.url.render_as_string(), language, translate)
    kept = _cached.get(key)
    if kept is None or kept[0] != version:
        kept = _cached[key] = (version, {})
    return kept[1]


def _vocabulary(service: Service, translate: Callable[[str], str]) -> Vocabulary:
    def versions(text: str) -> set[str]:
        return {text, translate(text)} if text else set()

    names = versions(service.name)
    keywords = versions(service.keywords or "")
    every = names | versions(service.summary or "") | keywords
    phrases = [*names, *(p for text in keywords for p in text.split(","))]
    return Vocabulary(
        words=frozenset(w for text in every for w in words(text)),
        name=frozenset(w for text in names for w in words(text)),
        phrases=frozenset(filter(None, (frozenset(searched_words(p)) for p in phrases))),
    )


def _singular(word: str, vocabulary: frozenset[str]) -> str:
    """The service's word of which `word` is a plural ("buses": bus), else `word` itself."""
    for ending in ("s", "es"):
        if word.endswith(ending) and word[: -len(ending)] in vocabulary:
            return word[: -len(ending)]
    return word


def _match(word: str, vocabulary: frozenset[str]) -> float:
    """How well one typed word matches a service's words: 1 the same, less for a start, a stem or a
    close spelling, 0 none."""
    if word in vocabulary:
        return 1.0
    if len(word) >= 3 and any(w.startswith(word) for w in vocabulary):
        return 0.95
    if any(len(w) >= 4 and word.startswith(w) for w in vocabulary):
        return 0.9
    if _singular(word, vocabulary) != word:
        return 0.9  # a plural of a short word: "buses" for bus, "taxes" for tax
    if len(word) >= 4:
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=CLOSE)
        if close:
            return 0.9 * difflib.SequenceMatcher(None, word, close[0]).ratio()
    return 0.0
