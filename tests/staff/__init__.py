"""Tests of app/staff/."""
