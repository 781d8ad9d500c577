"""The service navigation shown to each staff role: a few sections in the header, and the pages of the
section you are in just under it (app/templates/_staff_navigation.html draws both)."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

AGENTS = ("agent", "supervisor", "admin")
SUPERVISORS = ("supervisor", "admin")

# (section, [(label, endpoint, roles)]). A section's link opens its first page the user may use.
STAFF_SECTIONS = [
    (
        "Today",
        [
            ("My day", "officer.today", ("officer",)),
            ("Staff home", "staff.home", ("agent", "officer", "supervisor", "admin")),
            ("Kiosk calls", "agent_kiosk_calls.console", AGENTS),
            ("Kiosk help", "kiosk_staff.help_requests", AGENTS),
        ],
    ),
    (
        "Bookings",
        [
            ("Find a caller", "agent.find", AGENTS),
            ("Capacity", "agent.capacity", AGENTS),
            ("Letters", "letters.batches", AGENTS),
        ],
    ),
    (
        "Officers & safety",
        [
            ("Field today", "supervisor.field", SUPERVISORS),
            ("Safety alerts", "supervisor.alerts", SUPERVISORS),
            ("Risk register", "supervisor.register", SUPERVISORS),
            ("On-duty rota", "supervisor.rota_view", SUPERVISORS),
            ("Officers", "admin.officers", SUPERVISORS),
        ],
    ),
    (
        "Reports",
        [
            ("Dashboard", "reports.dashboard", SUPERVISORS),
            ("Residents to call", "reports.calls", SUPERVISORS),
            ("Feedback from residents", "feedback_staff.queue", SUPERVISORS),
        ],
    ),
    (
        "Settings",
        [
            ("Services", "admin.services", SUPERVISORS),
            ("Hubs", "admin.hubs", SUPERVISORS),
            ("Kiosks", "kiosk_staff.kiosk_devices", SUPERVISORS),
            ("Staff users", "admin.users", ("admin",)),
            ("API tokens", "admin.api_tokens", ("admin",)),
        ],
    ),
]


def staff_navigation() -> list[dict]:
    """The sections this user may use, each with its pages under "links" (for the row beneath the
    header and the staff home page). The section and page you are on are marked active."""
    if not current_user.is_authenticated:
        return []
    sections = []
    for name, links in STAFF_SECTIONS:
        pages = [
            {"href": url_for(endpoint), "text": label}
            for label, endpoint, roles in links
            if current_user.role in roles
        ]
        if pages:
            sections.append({"href": pages[0]["href"], "text": name, "links": pages, "active": False})
    _mark_current(sections)
    return sections  # "Sign out" follows them: a form in the partial, as signing out must be a POST


def _mark_current(sections: list[dict]) -> None:
    """The page whose address is the longest start of this one (/agent/capacity is Capacity, not
    Find a caller at /agent/), and its section."""
    best = None
    for section in sections:
        for page in section["links"]:
            page["active"] = False
            if request.path.startswith(page["href"]) and (
                best is None or len(page["href"]) > len(best[1]["href"])
            ):
                best = (section, page)
    if best is not None:
        best[0]["active"] = best[1]["active"] = True
