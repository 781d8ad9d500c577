"""The OpenAPI 3 description of API v1. Kept by hand, next to the routes it describes; a test checks
that every API route is in it and that real responses match it."""

from __future__ import annotations

from app.api.schemas import AppointmentIn, CancelIn, RescheduleIn


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(schema_name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema_name)}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
    },
}
ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
CONFLICT = {
    "type": "object",
    "required": ["error", "message", "appointment"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "appointment": _ref("Appointment"),  # as it is now, after the change that won
    },
}
SLOT = {
    "type": "object",
    "required": ["slot_id", "start", "end", "kind", "rank", "added_travel_minutes"],
    "properties": {
        "slot_id": {"type": "string", "description": "Opaque; books exactly this slot, once."},
        "start": {"type": "string", "format": "date-time", "description": "UK time with offset"},
        "end": {"type": "string", "format": "date-time"},
        "kind": {"type": "string", "enum": ["exact", "arrival_window"]},
        "rank": {"type": "integer", "minimum": 1, "description": "1 = least added travel"},
        "added_travel_minutes": {"type": "integer"},
    },
}
APPOINTMENT = {
    "type": "object",
    "required": ["reference", "status", "start", "end", "service"],
    "properties": {
        "reference": {"type": "string"},
        "reference_display": {"type": "string"},
        "status": {
            "type": "string",
            "enum": ["booked", "cancelled", "rescheduled", "checked_in", "completed", "no_show"],
        },
        "service": {"type": "string"},
        "service_name": {"type": "string"},
        "location_type": {"type": "string", "enum": ["home", "business", "hub"]},
        "place": {"type": "string"},
        "hub": {"type": ["string", "null"]},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "duration_minutes": {"type": "integer"},
        "officer_first_name": {"type": "string"},
        "two_officers": {"type": "boolean"},
        "what_to_have_ready": {"type": "array", "items": {"type": "string"}},
        "channel": {"type": "string"},
        "manage_url": {"type": "string", "format": "uri"},
        "ics_url": {"type": "string", "format": "uri"},
    },
}
SERVICE = {
    "type": "object",
    "required": ["code", "name", "places"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "summary": {"type": "string"},
        "duration_minutes": {"type": "integer"},
        "places": {"type": "array", "items": {"type": "string", "enum": ["home", "business", "hub"]}},
        "premises_only": {"type": "boolean"},
        "signpost": {"type": ["string", "null"]},
        "two_officers": {"type": "boolean"},
        "what_to_have_ready": {"type": "array", "items": {"type": "string"}},
        "notice_hours": {"type": "integer"},
        "horizon_days": {"type": "integer"},
    },
}
MESSAGE = {
    "type": "object",
    "required": ["id", "kind", "channel", "status"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string"},
        "channel": {"type": "string", "enum": ["sms", "email", "webhook"]},
        "status": {
            "type": "string",
            "enum": ["created", "sending", "sent", "delivered", "failed", "technical_failure", "cancelled"],
        },
        "provider_id": {"type": ["string", "null"]},
        "attempts": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "sent_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
HUB = {
    "type": "object",
    "required": ["code", "name", "lat", "lng"],
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "community_area": {"type": "string"},
        "address": {"type": "string"},
        "town": {"type": "string"},
        "postcode": {"type": "string"},
        "lat": {"type": "number"},
        "lng": {"type": "number"},
        "has_kiosk": {"type": "boolean"},
        "opening_hours": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "weekday": {"type": "integer"},
                    "opens": {"type": "string"},
                    "closes": {"type": "string"},
                },
            },
        },
    },
}


def _schema(model) -> dict:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return schema


def document() -> dict:
    components = {
        "ErrorList": ERRORS,
        "Error": ERROR,
        "Conflict": CONFLICT,
        "Slot": SLOT,
        "Appointment": APPOINTMENT,
        "Service": SERVICE,
        "Hub": HUB,
        "MessageOut": MESSAGE,
    }
    for model in (AppointmentIn, CancelIn, RescheduleIn):
        schema = _schema(model)
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    reference = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}
    bearer = [{"bearer": []}]
    unauthorised = _json(_ref("Error"), "Missing or invalid bearer token")
    # An officer's token sees only the officer's own visits: any other reference answers 404.
    not_found = _json(_ref("Error"), "No appointment has that reference (that this token may see)")
    paths = _paths(reference, bearer, unauthorised, not_found)
    bad_request = _json(_ref("ErrorList"), "Bad input, by field name")
    too_large = _json(_ref("Error"), "The body is over the size limit")
    for operations in paths.values():
        for operation in operations.values():
            operation["responses"].setdefault("422", bad_request)
            if "requestBody" in operation:
                operation["responses"].setdefault("413", too_large)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Doorstep API",
            "version": "1.0.0",
            "description": "Book face-to-face council appointments at home, at a business or at a hub.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": paths,
    }


def _paths(reference: dict, bearer: list, unauthorised: dict, not_found: dict) -> dict:
    return {
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {
                    "200": {
                        "description": "OpenAPI document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/api/v1/services": {
            "get": {
                "summary": "Bookable services",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["services"],
                            "properties": {"services": {"type": "array", "items": _ref("Service")}},
                        },
                        "Services",
                    ),
                    "429": _json(_ref("Error"), "Rate limited"),
                },
            }
        },
        "/api/v1/hubs": {
            "get": {
                "summary": "Community hubs",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["hubs"],
                            "properties": {"hubs": {"type": "array", "items": _ref("Hub")}},
                        },
                        "Hubs",
                    ),
                    "429": _json(_ref("Error"), "Rate limited"),
                },
            }
        },
        "/api/v1/availability": {
            "get": {
                "summary": "Slots that can be booked, least added travel first",
                "parameters": [
                    {"name": "service", "in": "query", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "location_type",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "enum": ["home", "business", "hub"]},
                    },
                    {"name": "postcode", "in": "query", "schema": {"type": "string"}},
                    {"name": "lat", "in": "query", "schema": {"type": "number"}},
                    {"name": "lng", "in": "query", "schema": {"type": "number"}},
                    {"name": "hub", "in": "query", "schema": {"type": "string"}},
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {
                        "name": "days",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 28},
                    },
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["slots"],
                            "properties": {
                                "service": {"type": "string"},
                                "location_type": {"type": "string"},
                                "hub": {"type": "string"},
                                "first_day": {"type": ["string", "null"]},
                                "last_day": {"type": ["string", "null"]},
                                "next_available": {
                                    "type": ["string", "null"],
                                    "description": "when nothing is free: the next day that has a slot",
                                },
                                "hub_possible": {
                                    "type": "boolean",
                                    "description": "when nothing is free: a hub is possible",
                                },
                                "slots": {"type": "array", "items": _ref("Slot")},
                            },
                        },
                        "Slots",
                    ),
                    "422": _json(_ref("ErrorList"), "Bad parameters, by name"),
                    "429": _json(_ref("Error"), "Rate limited"),
                },
            }
        },
        "/api/v1/appointments": {
            "post": {
                "summary": "Book a slot",
                "security": bearer,
                "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}],
                "requestBody": _body("AppointmentIn"),
                "responses": {
                    "201": _json(_ref("Appointment"), "Booked"),
                    "401": unauthorised,
                    "403": _json(_ref("Error"), "Not allowed"),
                    "409": _json(_ref("Error"), "slot_unavailable or idempotency_conflict"),
                    "422": _json(_ref("ErrorList"), "Bad request body, by field"),
                },
            }
        },
        "/api/v1/appointments/{reference}": {
            "get": {
                "summary": "An appointment",
                "security": bearer,
                "parameters": [reference],
                "responses": {
                    "200": _json(_ref("Appointment"), "The appointment"),
                    "401": unauthorised,
                    "404": not_found,
                },
            }
        },
        "/api/v1/appointments/{reference}/messages": {
            "get": {
                "summary": "Messages sent about an appointment",
                "security": bearer,
                "parameters": [reference],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["messages"],
                            "properties": {"messages": {"type": "array", "items": _ref("MessageOut")}},
                        },
                        "Messages",
                    ),
                    "401": unauthorised,
                    "404": not_found,
                },
            }
        },
        "/api/v1/appointments/{reference}/cancel": {
            "post": {
                "summary": "Cancel",
                "security": bearer,
                "parameters": [reference],
                "requestBody": _body("CancelIn"),
                "responses": {
                    "200": _json(_ref("Appointment"), "Cancelled"),
                    "401": unauthorised,
                    "403": _json(_ref("Error"), "Officers' tokens cannot cancel"),
                    "404": not_found,
                    "409": _json(_ref("Conflict"), "Already cancelled, over or changed: its state now"),
                    "422": _json(_ref("ErrorList"), "Bad body"),
                },
            }
        },
        "/api/v1/appointments/{reference}/reschedule": {
            "post": {
                "summary": "Move to another slot",
                "security": bearer,
                "parameters": [reference],
                "requestBody": _body("RescheduleIn"),
                "responses": {
                    "200": _json(_ref("Appointment"), "Moved"),
                    "401": unauthorised,
                    "403": _json(_ref("Error"), "Officers' tokens cannot move appointments"),
                    "404": not_found,
                    "409": _json(_ref("Conflict"), "Slot gone or not changeable: its state now"),
                    "422": _json(_ref("ErrorList"), "Bad body"),
                },
            }
        },
        "/api/v1/appointments/{reference}/calendar.ics": {
            "get": {
                "summary": "Calendar file (signed link token or bearer)",
                "parameters": [reference, {"name": "token", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "iCalendar",
                        "content": {"text/calendar": {"schema": {"type": "string"}}},
                    },
                    "404": not_found,
                    "429": _json(_ref("Error"), "Rate limited"),
                },
            }
        },
    }
