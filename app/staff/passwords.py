"""Password hashing with argon2id, and the check that a chosen password is not an easy guess."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
# Hashes one process runs at once; more wait their turn. Each takes 64 MiB and a core for tens of
# milliseconds, and a gthread worker serves 20 requests at once: a burst of wrong sign-ins (one address
# may send its 30 a minute together) hashed all together, adding over a gigabyte across the workers and
# starving every other request of CPU (attack of 2 December 2026).
HASHES_AT_ONCE = 2
_hashing = threading.BoundedSemaphore(HASHES_AT_ONCE)

MIN_LENGTH = 12
MIN_STRENGTH = 3  # zxcvbn's 0-4 scale: 3 is "safely unguessable" against an online attack
ZXCVBN_MAX_LENGTH = 72  # zxcvbn's own limit; a weak start makes a weak password however long it is
SERVICE_WORDS = ("doorstep", "council", "wiltshire")


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """What is wrong with a password someone chose, or None. zxcvbn checks it against the common
    passwords, names and words it ships (offline), keyboard patterns, repeats and dates, and against
    the person's own details."""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters"
    words = [*SERVICE_WORDS, *(w for text in user_inputs for w in text.lower().replace("@", " ").split())]
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=words)
    if result["score"] >= MIN_STRENGTH:
        return None
    advice = result["feedback"]["warning"] or "It would be easy to guess."
    return f"Choose a harder password. {advice} Three or four unrelated words work well."


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        with _hashing:
            return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A memorable-enough random password of four word-like chunks (never one the check refuses)."""
    while True:
        password = "-".join(secrets.token_urlsafe(4) for _ in range(4))
        if password_problem(password) is None:
            return password


# A fixed hash to verify against when the email is unknown, so timing does not reveal accounts.
DUMMY_HASH = _hasher.hash("not-a-real-password")
