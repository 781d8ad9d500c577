"""Names folded for matching as people type them: any case, with or without accents. Below the models
(Customer keeps its name folded, for the agent's caller search), so it imports nothing of the app."""

from __future__ import annotations

import unicodedata

# Letters NFKD does not take apart into a plain letter and an accent: the Polish ł, and their like.
UNDECOMPOSED = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ı": "i"}
    | {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "þ": "th", "Þ": "TH"}
)


def fold(text: str) -> str:
    """'  Siân  O’Brien ' -> "sian o'brien", 'Żółć-Wiśniewska' -> 'zolc wisniewska': no accents, one
    space, ordinary apostrophes."""
    plain = unicodedata.normalize("NFKD", (text or "").translate(UNDECOMPOSED))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    plain = plain.replace("’", "'").replace("‘", "'").replace("-", " ")
    return " ".join(plain.casefold().split())
