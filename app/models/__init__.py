"""All models, imported here so Alembic and the app see one metadata."""

from app.models.agent import CustomerNote, WaitlistEntry, WaitlistOffer
from app.models.appointments import Appointment, AppointmentEvent
from app.models.booking import Address, AllowanceUse, IdempotencyRecord, OfficerDay, SlotClaim
from app.models.catalogue import CommunityArea, Hub, HubClosure, HubOpening, Service, Skill
from app.models.feedback import EqualityResponse, Feedback
from app.models.jobs import ScheduledRun
from app.models.kiosk import KioskDevice, KioskHelpRequest
from app.models.kiosk_calls import AgentPresence, KioskCall, KioskCallSignal
from app.models.messages import InboundMessage, Message, SmsOptOut
from app.models.officers import Absence, Officer, RosterVersion, WorkingPattern
from app.models.people import ApiToken, AuditEvent, Customer, User
from app.models.routes import CallListEntry, ReplanProposal, RoutePlan, RouteStop
from app.models.safety import (
    DutyPeriod,
    OfficerDevice,
    RiskMarker,
    SafetyAlert,
    SafetyCheck,
    SafetySession,
    VisitRiskDecision,
)

__all__ = [
    "AllowanceUse",
    "Address",
    "IdempotencyRecord",
    "OfficerDay",
    "SlotClaim",
    "Absence",
    "AgentPresence",
    "ApiToken",
    "Appointment",
    "AppointmentEvent",
    "AuditEvent",
    "CallListEntry",
    "CommunityArea",
    "Customer",
    "DutyPeriod",
    "EqualityResponse",
    "Feedback",
    "HubClosure",
    "OfficerDevice",
    "SafetyCheck",
    "ScheduledRun",
    "VisitRiskDecision",
    "CustomerNote",
    "Hub",
    "InboundMessage",
    "KioskCall",
    "KioskCallSignal",
    "KioskDevice",
    "KioskHelpRequest",
    "Message",
    "SmsOptOut",
    "HubOpening",
    "Officer",
    "ReplanProposal",
    "RiskMarker",
    "RosterVersion",
    "RoutePlan",
    "RouteStop",
    "SafetyAlert",
    "SafetySession",
    "Service",
    "Skill",
    "User",
    "WaitlistEntry",
    "WaitlistOffer",
    "WorkingPattern",
]
