"""Staff accounts: creation and sign-in."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Officer, OfficerDevice, User
from app.models.people import ROLES
from app.staff import audit
from app.staff.passwords import DUMMY_HASH, hash_password, verify_password
from app.timeutil import utcnow


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


def end_sessions(user: User) -> None:
    """Every session cookie this user has, on any device, copied or not, stops working."""
    user.session_version += 1


def set_password(user: User, password: str) -> None:
    """A new password ends every session of the account and every work phone trusted for it (which
    otherwise outlive sign-outs): whoever had them signs in with the new one, and trusts the phone again."""
    user.password_hash = hash_password(password)
    end_sessions(user)
    phones = db.session.execute(
        update(OfficerDevice)
        .where(
            OfficerDevice.officer_id.in_(select(Officer.id).where(Officer.user_id == user.id)),
            OfficerDevice.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    ).rowcount
    audit.record("password_changed", "user", user.id, phones_untrusted=phones)


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
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
