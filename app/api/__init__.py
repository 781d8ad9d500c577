"""API v1 for the council's website, CRM and kiosks (JSON, described by /api/v1/openapi.json)."""
