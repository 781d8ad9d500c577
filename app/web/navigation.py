"""The service navigation shown to each staff role."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

# (label, endpoint, roles)
STAFF_LINKS = [
    ("Staff home", "staff.home", ("agent", "officer", "supervisor", "admin")),
    ("Find a caller", "agent.find", ("agent", "supervisor", "admin")),
    ("Capacity", "agent.capacity", ("agent", "supervisor", "admin")),
    ("Kiosk calls", "agent_kiosk_calls.console", ("agent", "supervisor", "admin")),
    ("My day", "officer.today", ("officer",)),
    ("Dashboard", "reports.dashboard", ("supervisor", "admin")),
    ("Call list", "reports.calls", ("supervisor", "admin")),
    ("Tell us", "feedback.queue", ("supervisor", "admin")),
    ("Safety alerts", "supervisor.alerts", ("supervisor", "admin")),
    ("Risk register", "supervisor.register", ("supervisor", "admin")),
    ("On-duty rota", "supervisor.rota_view", ("supervisor", "admin")),
    ("Kiosk help", "kiosk_staff.help_requests", ("agent", "supervisor", "admin")),
    ("Letters", "letters.batches", ("agent", "supervisor", "admin")),
    ("Services", "admin.services", ("supervisor", "admin")),
    ("Hubs", "admin.hubs", ("supervisor", "admin")),
    ("Officers", "admin.officers", ("supervisor", "admin")),
    ("Kiosks", "kiosk_staff.kiosk_devices", ("supervisor", "admin")),
    ("API tokens", "admin.api_tokens", ("admin",)),
]


def staff_navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint, roles in STAFF_LINKS:
        if current_user.role in roles:
            href = url_for(endpoint)
            items.append(
                {"href": href, "text": label, "active": request.path.startswith(href) and href != "/"}
            )
    return items  # "Sign out" follows them: a form in base.html, as signing out must be a POST
