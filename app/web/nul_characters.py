"""No real input contains a NUL character, and PostgreSQL cannot store one: refuse it at the door.

Most requests are cleared by one scan of what they sent as it came (the path, the raw query string,
the raw body of a form or JSON request): a NUL can reach a value only as a NUL byte, `%00` or JSON's
`\\u0000`. Only a request with one of those is parsed and its values checked one by one, so that a
literal "\\u0000" typed into a text (an escaped backslash) is still let through.
"""

from __future__ import annotations

from flask import Request

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_ENCODED_NUL = ("\x00", "%00")
_BODY_NUL = (b"\x00", b"%00", b"\\u0000")


def has_nul_characters(request: Request) -> bool:
    """Whether any value the request carries (path, query, form field or JSON) holds a NUL."""
    if not _may_hold_nul(request):
        return False
    values = [request.view_args or {}, request.args.to_dict(flat=False), request.form.to_dict(flat=False)]
    if request.is_json:
        values.append(request.get_json(silent=True))
    return any(_has_nul(v) for v in values)


def _may_hold_nul(request: Request) -> bool:
    query = request.environ.get("QUERY_STRING", "")
    if "\x00" in request.path or any(sign in query for sign in _ENCODED_NUL):
        return True
    if not (request.is_json or request.mimetype in _FORMS):
        return False  # no values are read from any other body
    body = request.get_data()  # kept: the form or JSON is parsed from this copy later
    return any(sign in body for sign in _BODY_NUL)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False
