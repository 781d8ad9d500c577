"""Tests of app/safety/."""
