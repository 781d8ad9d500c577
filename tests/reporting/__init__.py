"""Tests of app/reporting/."""
