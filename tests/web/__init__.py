"""Tests of app/web/ and app/routes/ (pages, access, security headers, limits)."""
