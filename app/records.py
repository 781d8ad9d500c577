"""One record by its id: how the web layer, which never touches the session or the models, reaches
the record a URL or a form names. None for a missing id or record (the route answers 404)."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import text

from app.extensions import HotRead, db
from app.models import (
    Absence,
    Address,
    ApiToken,
    Appointment,
    CallListEntry,
    Customer,
    DutyPeriod,
    Feedback,
    Hub,
    HubClosure,
    KioskCall,
    KioskDevice,
    KioskHelpRequest,
    Officer,
    OfficerDevice,
    ReplanProposal,
    RiskMarker,
    SafetyAlert,
    SafetySession,
    Service,
    User,
)

Record = TypeVar("Record")


def _get(model: type[Record], ident: int | None) -> Record | None:
    return db.session.get(model, ident) if ident else None


def absence(ident: int | None) -> Absence | None:
    return _get(Absence, ident)


def address(ident: int | None) -> Address | None:
    return _get(Address, ident)


def api_token(ident: int | None) -> ApiToken | None:
    return _get(ApiToken, ident)


def appointment(ident: int | None) -> Appointment | None:
    return _get(Appointment, ident)


def call_list_entry(ident: int | None) -> CallListEntry | None:
    return _get(CallListEntry, ident)


def customer(ident: int | None) -> Customer | None:
    return _get(Customer, ident)


def duty_period(ident: int | None) -> DutyPeriod | None:
    return _get(DutyPeriod, ident)


def hub(ident: int | None) -> Hub | None:
    return _get(Hub, ident)


def feedback(ident: int | None) -> Feedback | None:
    return _get(Feedback, ident)


def hub_closure(ident: int | None) -> HubClosure | None:
    return _get(HubClosure, ident)


def kiosk_call(ident: int | None) -> KioskCall | None:
    return _get(KioskCall, ident)


def kiosk_device(ident: int | None) -> KioskDevice | None:
    return _get(KioskDevice, ident)


def kiosk_help_request(ident: int | None) -> KioskHelpRequest | None:
    return _get(KioskHelpRequest, ident)


def officer(ident: int | None) -> Officer | None:
    return _get(Officer, ident)


def officer_device(ident: int | None) -> OfficerDevice | None:
    return _get(OfficerDevice, ident)


def replan_proposal(ident: int | None) -> ReplanProposal | None:
    return _get(ReplanProposal, ident)


def risk_marker(ident: int | None) -> RiskMarker | None:
    return _get(RiskMarker, ident)


def safety_alert(ident: int | None) -> SafetyAlert | None:
    return _get(SafetyAlert, ident)


def safety_session(ident: int | None) -> SafetySession | None:
    return _get(SafetySession, ident)


def service(ident: int | None) -> Service | None:
    return _get(Service, ident)


def user(ident: int | None) -> User | None:
    return _get(User, ident)


_PING = HotRead(text("SELECT 1"))


def database_answers() -> None:
    """A round trip to the database (the health check): raises if it does not answer."""
    _PING.rows()
