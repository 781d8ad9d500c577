"""Printed letters as one PDF per print batch (fpdf2): an address block placed for a DL window
envelope, the date, and the letter's text. Plain Python, no Flask.

The fonts ship with the code (notifications/fonts, SIL Open Font License): Noto Sans for Latin text with
Polish diacritics, and Noto Sans Devanagari as its fallback for Nepali. HarfBuzz (uharfbuzz) shapes the
text, so Devanagari conjuncts and vowel signs join as a reader expects instead of printing letter by
letter. Nothing is looked up on the system or downloaded when a letter is made."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

logger = logging.getLogger(__name__)
FONTS = Path(__file__).parent / "fonts"
# family -> (regular, bold); the first is the letter's font, the others fill in the scripts it lacks.
FAMILIES = {
    "Letter": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "Devanagari": ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
}


@dataclass(frozen=True)
class Letter:
    address: tuple[str, ...]  # name first, then the postal address lines
    date: str  # as printed, e.g. "30 November 2026"
    heading: str
    body: str  # paragraphs separated by blank lines
    sender: str  # the council, printed at the top


class _LetterPDF(FPDF):
    """FPDF that puts each font it is given on the page at once.

    fpdf2 2.8.9 otherwise sets a font lazily, with the first text in it. When that text begins with a
    glyph from a fallback font (a Nepali name heading the address), the font is set only inside that
    text's own q/Q, yet fpdf2 counts it as set: the next Latin line is then drawn with the previous
    font's resource and prints as garbage. tests/test_letters.py reads every line back to catch this."""

    def _settle_font(self) -> None:
        if self.page and self.current_font is not None and not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))

    def set_font(self, *args, **kwargs) -> None:
        super().set_font(*args, **kwargs)
        self._settle_font()


def _fonts(pdf: FPDF) -> str:
    for family, (regular, bold) in FAMILIES.items():
        pdf.add_font(family, "", str(FONTS / regular))
        pdf.add_font(family, "B", str(FONTS / bold))
    pdf.set_fallback_fonts([family for family in FAMILIES if family != "Letter"], exact_match=False)
    pdf.set_text_shaping(True)
    return "Letter"


@lru_cache(maxsize=1)
def _printable() -> frozenset[int]:
    """Every character some letter font draws in both weights."""
    covered: set[int] = set()
    for regular, bold in FAMILIES.values():
        covered |= set(TTFont(FONTS / regular).getBestCmap()) & set(TTFont(FONTS / bold).getBestCmap())
    return frozenset(covered)


def unprintable(text: str) -> str:
    """The characters of `text` that no letter font has (they would print as empty boxes), in order."""
    printable = _printable()
    return "".join(dict.fromkeys(c for c in text if not c.isspace() and ord(c) not in printable))


def build_pdf(letters: list[Letter]) -> bytes:
    """One A4 page (or more) per letter, in order, ready to print double-sided off."""
    pdf = _LetterPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title("Letters")
    family = _fonts(pdf)
    for number, letter in enumerate(letters, start=1):
        missing = unprintable("".join((letter.sender, *letter.address, letter.heading, letter.body)))
        if missing:  # e.g. a name in a script we ship no font for: those print as empty boxes (no PII logged)
            logger.warning("Letter %d of the batch has characters no letter font has: %s", number, missing)
        pdf.add_page()
        pdf.set_font(family, "B", 12)
        pdf.set_xy(20, 15)
        pdf.cell(170, 6, letter.sender, align="R")
        # The address sits in a DL window: 20 mm from the left, about 50 mm from the top.
        pdf.set_font(family, "", 12)
        pdf.set_xy(20, 50)
        for line in letter.address:
            pdf.set_x(20)
            pdf.cell(90, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(20, 95)
        pdf.cell(170, 6, letter.date, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_x(20)
        pdf.set_font(family, "B", 14)
        pdf.multi_cell(170, 7, letter.heading, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font(family, "", 12)
        for paragraph in letter.body.split("\n\n"):
            pdf.set_x(20)
            # Ragged right, as GOV.UK writes: justified lines open wide gaps between Devanagari words.
            pdf.multi_cell(170, 6, paragraph.strip(), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())
