"""Tests of app/api/ (API v1)."""
