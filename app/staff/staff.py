"""Staff accounts: creation and sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import ApiToken, Officer, OfficerDevice, User
from app.models.people import ROLES
from app.staff import audit
from app.staff.passwords import DUMMY_HASH, hash_password, verify_password
from app.timeutil import utcnow
from app.unit_of_work import finish_reads


class StaffError(ValueError):
    pass


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, role: str, password: str, full_name: str = "") -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise StaffError(f"Role must be one of: {', '.join(ROLES)}")
    if "@" not in email:
        raise StaffError("Enter an email address in the correct format, like name@example.gov.uk")
    if find_by_email(email):
        raise StaffError(f"A user with email {email} already exists")
    user = User(
        email=email,
        role=role,
        full_name=full_name or email.split("@")[0].replace(".", " ").title(),
        password_hash=hash_password(password),
    )
    db.session.add(user)
    return user


def all_staff() -> list[User]:
    """Every staff account, switched-off ones too (an admin switches them back on), by role then name."""
    return list(db.session.scalars(select(User).order_by(User.role, User.full_name, User.email)))


def end_sessions(user: User) -> None:
    """Every session cookie this user has, on any device, copied or not, stops working."""
    user.session_version += 1


def set_password(user: User, password: str) -> None:
    """A new password ends every session of the account, every work phone trusted for it and the
    officer's calendar feed (which otherwise outlive sign-outs): whoever had them signs in with the new
    one, trusts the phone again and makes a new feed. API tokens are left working (they are given to
    systems, each revoked on its own): `api_tokens_left` says how many there are."""
    user.password_hash = hash_password(password)
    end_sessions(user)
    phones, feed = _end_officer_access(user)
    audit.record("password_changed", "user", user.id, phones_untrusted=phones, calendar_feed_ended=feed)


def api_tokens_left(user: User) -> int:
    """How many API tokens of this user still work (an account switched off has none)."""
    working = select(func.count(ApiToken.id)).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
    )
    return db.session.scalar(working) or 0


@dataclass(frozen=True)
class Ended:
    """What switching a sign-in off ended."""

    phones: int = 0
    api_tokens: int = 0
    calendar_feed: bool = False
    officer: bool = False  # their officer record was switched off too (no more visits offered)


def switch_off(user: User, by: User | None = None) -> Ended:
    """A leaver (or a suspended account): no sign-in, every session ended, every trusted work phone,
    API token and calendar feed stopped, and their officer record (if any) switched off, so no new
    visits are offered with them. Their booked visits stay theirs until a supervisor re-plans them.
    Nobody switches off their own sign-in (an admin would lock themselves out), nor the last admin who
    can sign in (nobody could then switch anyone off or on: _keep_an_admin)."""
    if by is not None and by.id == user.id:
        raise StaffError("You cannot switch off your own sign-in. Ask another admin to do it")
    if user.role == "admin":
        _keep_an_admin(user)
    user.active = False
    end_sessions(user)
    phones, feed = _end_officer_access(user)
    tokens = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    officer = officer_of(user)
    was_officer = officer is not None and officer.active
    if officer is not None:
        officer.active = False
    ended = Ended(phones=phones, api_tokens=tokens, calendar_feed=feed, officer=was_officer)
    audit.record(
        "user_switched_off",
        "user",
        user.id,
        user=by,
        phones_untrusted=phones,
        api_tokens_revoked=tokens,
        calendar_feed_ended=feed,
        officer_switched_off=was_officer,
    )
    return ended


def _keep_an_admin(user: User) -> None:
    """Refuse switching off this admin if no other admin could still sign in. The active admins' rows
    are locked (in id order) before they are counted, and held until commit: of two admins switching
    each other off at the same moment, the second waits, then counts without the first's target, and
    is refused. (SQLite: a request's transaction holds the database write lock from its BEGIN.)"""
    active_admins = db.session.scalars(
        select(User.id).where(User.role == "admin", User.active.is_(True)).order_by(User.id).with_for_update()
    ).all()
    if not set(active_admins) - {user.id}:
        raise StaffError(
            f"You cannot switch off {user.full_name}: they are the only admin who can sign in. "
            "Switch on or add another admin first"
        )


def switch_on(user: User, by: User | None = None) -> None:
    """Sign-in allowed again (with the password it had). Phones, tokens and the calendar feed stay
    ended, and an officer record stays switched off until a supervisor switches it on in its form."""
    if not user.active:
        user.active = True
        audit.record("user_switched_on", "user", user.id, user=by)


def officer_of(user: User) -> Officer | None:
    return db.session.scalar(select(Officer).where(Officer.user_id == user.id))


def _end_officer_access(user: User) -> tuple[int, bool]:
    """Switch off every work phone trusted for this account and its officer's calendar feed: both
    outlive sign-outs. Returns how many phones, and whether a feed was ended."""
    phones = db.session.execute(
        update(OfficerDevice)
        .where(
            OfficerDevice.officer_id.in_(select(Officer.id).where(Officer.user_id == user.id)),
            OfficerDevice.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    ).rowcount
    officer = officer_of(user)
    feed = officer is not None and officer.calendar_token_hash is not None
    if feed:
        officer.calendar_token_hash = None
    return phones, feed


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    # The hash is slow on purpose (argon2id: a core for tens of milliseconds, 64 MiB): it runs with no
    # transaction open, so no pooled connection waits on it. Held through it, 8 sign-ins at once took a
    # worker's every connection and the rest of its requests queued (attack of 2 December 2026).
    finish_reads()
    if user is None:
        verify_password(DUMMY_HASH, password)  # same cost either way
        audit.record("sign_in_failed", "user", "", email=email.strip().lower()[:254])
        return None
    # Check the password even for a switched-off account: the same work, so timing tells nothing.
    if not verify_password(user.password_hash, password) or not user.active:
        audit.record("sign_in_failed", "user", user.id, user=user)
        return None
    user.last_login_at = utcnow()
    audit.record("signed_in", "user", user.id, user=user)
    return user
