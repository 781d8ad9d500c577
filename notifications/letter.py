"""Printed letters as one PDF per print batch (fpdf2): an address block placed for a DL window
envelope, the date, and the letter's text. Plain Python, no Flask.

A Unicode TrueType font is used when the system has one (DejaVu Sans, Debian's fonts-dejavu-core), so
letters in other languages print; otherwise the PDF core font, which covers Latin-1 only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)


@dataclass(frozen=True)
class Letter:
    address: tuple[str, ...]  # name first, then the postal address lines
    date: str  # as printed, e.g. "30 November 2026"
    heading: str
    body: str  # paragraphs separated by blank lines
    sender: str  # the council, printed at the top


def _font(pdf: FPDF) -> tuple[str, bool]:
    regular, bold = UNICODE_FONTS
    if regular.exists() and bold.exists():
        pdf.add_font("Letter", "", str(regular))
        pdf.add_font("Letter", "B", str(bold))
        return "Letter", True
    return "Helvetica", False


def _text(text: str, unicode: bool) -> str:
    return text if unicode else text.encode("latin-1", "replace").decode("latin-1")


def build_pdf(letters: list[Letter]) -> bytes:
    """One A4 page (or more) per letter, in order, ready to print double-sided off."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_title("Letters")
    family, unicode = _font(pdf)
    for letter in letters:
        pdf.add_page()
        pdf.set_font(family, "B", 12)
        pdf.set_xy(20, 15)
        pdf.cell(170, 6, _text(letter.sender, unicode), align="R")
        # The address sits in a DL window: 20 mm from the left, about 50 mm from the top.
        pdf.set_font(family, "", 12)
        pdf.set_xy(20, 50)
        for line in letter.address:
            pdf.set_x(20)
            pdf.cell(90, 6, _text(line, unicode), new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(20, 95)
        pdf.cell(170, 6, _text(letter.date, unicode), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_x(20)
        pdf.set_font(family, "B", 14)
        pdf.multi_cell(170, 7, _text(letter.heading, unicode), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font(family, "", 12)
        for paragraph in letter.body.split("\n\n"):
            pdf.set_x(20)
            pdf.multi_cell(170, 6, _text(paragraph.strip(), unicode), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())
