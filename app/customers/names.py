"""Matching names as people type them: any case, with or without accents, one surname or several."""

from __future__ import annotations

from app.folding import fold

__all__ = ["fold", "surname_matches"]


def surname_matches(full_name: str, typed: str) -> bool:
    """The last word or words of the full name: 'Ellis Jones' and 'Jones' both match
    'Mair Ellis Jones', 'Ellis' does not."""
    name, last = fold(full_name).split(), fold(typed).split()
    return bool(last) and len(last) <= len(name) and name[-len(last) :] == last
