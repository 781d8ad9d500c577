"""Tests of app/kiosk/."""
