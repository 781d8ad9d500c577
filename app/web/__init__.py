"""The web layer's own parts: app wiring (blueprints, headers, error pages), access rules, CSRF and rate
limits, staff navigation, and web state (the resident's journey, the kiosk's browser session). The
routes are in app/routes/ and app/api/."""
