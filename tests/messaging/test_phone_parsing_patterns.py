"""Parsing a phone number compiles no regular expression once the patterns it uses have been compiled,
even after the re module's own cache has dropped them (it keeps 512, dropping the oldest first, and
phonenumbers' metadata alone fills two thirds of it): app/messaging/contact.py keeps them."""

from __future__ import annotations

import re

from app.messaging import contact


def test_a_parse_compiles_no_pattern_after_re_s_cache_dropped_them(monkeypatch):
    assert contact.uk_phone.__wrapped__("01380 722000") == "+441380722000"  # its patterns compiled once
    assert contact.uk_mobile.__wrapped__("07700 900123") == "+447700900123"
    re.purge()  # as a process with many other patterns fills re's cache and pushes them out
    compiled = []
    real = re._compiler.compile
    monkeypatch.setattr(re._compiler, "compile", lambda *args: compiled.append(args) or real(*args))
    assert contact.uk_phone.__wrapped__("01225 713000") == "+441225713000"  # not remembered by lru_cache
    assert contact.uk_mobile.__wrapped__("07700 900456") == "+447700900456"
    assert compiled == []
