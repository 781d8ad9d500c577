"""Tests of app/planning/."""
