"""Generic guards for odd input, one place for each kind: days, numbers, whole numbers, typed text and JSON.

Routes read query strings and form fields through these, so '9999-12-31', 'nan', '1e999' or 'abc'
become a clear 4xx (or the page's default) instead of an overflow deep in the rules.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask.json.provider import DefaultJSONProvider

from app.timeutil import example_day

# Days the service can mean: far enough back for reports, far enough ahead for any horizon, and never
# at the edge of Python's calendar (date.max + 1 day overflows).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_JSON_DEPTH = 20
MAX_WHOLE_NUMBER = 2**31 - 1  # the database's integer


class BadInput(ValueError):
    """A value that is not what the field needs; the message says what is."""


def local_path_or_none(target: str | None) -> str | None:
    """A path on this site, never another site. Browsers read '/\\evil.example' as '//evil.example',
    and a control character would split the Location header: refuse both. No path here holds '//', and
    '/.//evil.example' resolves to '//evil.example', one dot segment away from another site: refused."""
    if (
        target
        and target.startswith("/")
        and "//" not in target.split("?", 1)[0]
        and "\\" not in target
        and target.isprintable()
        and not urlsplit(target).netloc
    ):
        return target
    return None


# Typed text never holds a character its reader cannot see: control characters (C0, DEL, C1: a bell, a
# tab or a line break inside a name), invisible format characters (zero-width space, word joiner, byte
# order mark, soft hyphen, direction marks, and the embeddings, overrides and isolates that make what an
# officer reads differ from what was typed, "Trojan Source"), lone surrogates, the Unicode line and
# paragraph separators, private-use and unassigned code points (no font draws them alike), and the
# letters and marks that are drawn as nothing: Hangul fillers, the braille blank, the combining
# grapheme joiner, Khmer's inherent vowels and Mongolian's free variation selectors. Variation
# selectors can carry hidden data (one per byte after any letter): refused on one line; text on several
# lines may hold the emoji and text presentation selectors (FE0F, FE0E), once, right after a symbol
# ("❤️", "☎️", a keycap "1️⃣"). More than MAX_MARKS combining marks in a row ("Zalgo" text, drawn over
# the lines around it) are refused too: Nepali stacks up to three (a virama, a joiner, a vowel sign,
# a candrabindu), Vietnamese two. ZWJ and ZWNJ stay (counted in such a run): Devanagari (Nepali) needs
# them to join or part its letters, as do other scripts and emoji sequences. Other spaces (no-break,
# em, ideographic) are seen as spaces and pass. Text typed on several lines (notes, access needs) may
# also hold line breaks and tabs.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"})
_DRAWN_AS_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180b\u180c\u180d\u180f")
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_PRESENTATION_SELECTORS = frozenset("\ufe0e\ufe0f")
_EMOJI_BASES = frozenset("#*0123456789\u203c\u2049")  # keycaps and ‼ ⁉, besides the symbols (S*)
_JOINERS = frozenset("\u200c\u200d")
_LINE_BREAKS_AND_TABS = frozenset("\t\n\r")
MAX_MARKS = 4
ONE_LINE_RULE = "Must not include tabs, line breaks or hidden characters"
SEVERAL_LINES_RULE = "Must not include hidden characters"


def hidden_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters in `text` that typed text may not hold (above), each once, in order."""
    if text.isascii() and text.isprintable():
        return []  # most text: no control character (nor any space but ' ')
    allowed = (_JOINERS | _LINE_BREAKS_AND_TABS) if multiline else _JOINERS
    found: list[str] = []
    previous, marks = "", 0
    for c in text:
        category = unicodedata.category(c)
        marks = marks + 1 if category[0] == "M" or c in _JOINERS else 0
        if c in allowed:
            hidden = marks > MAX_MARKS
        elif _VARIATION_SELECTORS.match(c):
            hidden = not (multiline and c in _PRESENTATION_SELECTORS and _emoji_base(previous))
        else:
            hidden = category in _HIDDEN_CATEGORIES or c in _DRAWN_AS_NOTHING or marks > MAX_MARKS
        if hidden:
            found.append(c)
        previous = c
    return list(dict.fromkeys(found))


def _emoji_base(c: str) -> bool:
    """A character an emoji or text presentation selector may follow: a symbol, a keycap's digit."""
    return bool(c) and (unicodedata.category(c)[0] == "S" or c in _EMOJI_BASES)


def refuse_hidden_characters(text: str, *, multiline: bool = False) -> str:
    """`text` itself, or BadInput naming the first character it may not hold ("... (U+202E)")."""
    if found := hidden_characters(text, multiline=multiline):
        rule = SEVERAL_LINES_RULE if multiline else ONE_LINE_RULE
        raise BadInput(f"{rule} (U+{ord(found[0]):04X})")
    return text


def typed_text(text: str | None, what: str, *, limit: int, multiline: bool = False) -> str:
    """Text typed into a field that no form reads (a staff page's one box): stripped, or BadInput with
    the message a form would give it ("Why are you closing it must be 1000 characters or less")."""
    text = (text or "").strip()
    if len(text) > limit:
        raise BadInput(f"{what} must be {limit} characters or less")
    if hidden_characters(text, multiline=multiline):
        rule = SEVERAL_LINES_RULE if multiline else ONE_LINE_RULE
        raise BadInput(f"{what} {rule[0].lower()}{rule[1:]}")
    return text


# Every space character (Unicode's Zs: the space, no-break space, thin space, ideographic space...). Not a
# tab or a line break: a one-line field refuses those (hidden_characters) rather than quietly mending them.
_SPACES = re.compile("[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


def one_line(text: str) -> str:
    """Typed text on one line as it is kept: no spaces around it, and each run of spaces inside it one
    space ("4  High\u00a0Street " -> "4 High Street"), whatever kind of space was typed, so text that reads
    the same is stored and compared the same. Forms and API bodies apply it to every one-line text field
    (app.forms.base.Form, app.api.schemas.Line)."""
    return _SPACES.sub(" ", text).strip(" ")


def parse_day(text: str | None) -> date:
    """'2026-12-07' -> a date between 2000 and 2099; raises BadInput otherwise."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise BadInput("Must be a date like 2026-12-07") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadInput(f"Must be a date from {FIRST_DAY:%Y} to {LAST_DAY:%Y}")
    return day


def day_or(text: str | None, default: date) -> date:
    """A day from a query string, or the default when it is blank or not a usable day."""
    if not text:
        return default
    try:
        return parse_day(text)
    except BadInput:
        return default


def chosen_day(values: Mapping[str, str], what: str) -> tuple[date | None, str | None]:
    """A day from a GOV.UK date input (day-day, day-month, day-year), or as `day=YYYY-MM-DD` from links
    and a page's own buttons; (None, None) when none is given. The second value is what is wrong with
    it, for the error summary ("The day to re-plan must include a month")."""
    named = what[0].upper() + what[1:]
    if values.get("day"):
        try:
            return parse_day(values["day"]), None
        except BadInput:
            return None, f"{named} must be a real date, for example {example_day()}"
    parts = [(values.get(f"day-{part}") or "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, f"Enter {what}" if "day-day" in values else None
    missing = [name for name, value in zip(("a day", "a month", "a year"), parts, strict=True) if not value]
    if missing:
        return None, f"{named} must include {' and '.join(missing)}"
    try:
        return parse_day(f"{int(parts[2]):04d}-{int(parts[1]):02d}-{int(parts[0]):02d}"), None
    except (ValueError, BadInput):
        return None, f"{named} must be a real date, for example {example_day()}"


def month_or(text: str | None, default: date) -> date:
    """'2026-12' -> 1 December 2026, or the default."""
    return day_or(f"{text}-01" if text else "", default)


def parse_number(text: str | float | None) -> float:
    """A finite decimal number ('51.35'); nan, inf and overflowing values are refused."""
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadInput("Must be a number") from None
    if not math.isfinite(value):
        raise BadInput("Must be a number") from None
    return value


def whole_number(text: str | int | None) -> int:
    """A whole number that fits the database ('42'); raises BadInput otherwise."""
    raw = str(text if text is not None else "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_WHOLE_NUMBER:
        raise BadInput("Must be a whole number")
    return int(raw)


def whole_number_or_none(text: str | int | None) -> int | None:
    try:
        return whole_number(text)
    except BadInput:
        return None


# A JSON string (skipped whole) or a bracket: enough to measure nesting without parsing.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')
_OPEN, _CLOSE = frozenset(b"[{"), frozenset(b"]}")


def json_depth_within(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    raw = data.encode() if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return True  # cannot nest deeper than it has brackets (those in strings counted too): most bodies
    depth = 0
    for match in _JSON_TOKENS.finditer(raw):
        first = match.group()[0]
        if first in _OPEN:
            depth += 1
            if depth > limit:
                return False
        elif first in _CLOSE:
            depth -= 1
    return True


class BoundedJSONProvider(DefaultJSONProvider):
    """Refuse deeply nested JSON before parsing it: the parser recurses once per level."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if not json_depth_within(s):
            raise ValueError(f"JSON is nested more than {MAX_JSON_DEPTH} levels deep")
        return super().loads(s, **kwargs)
