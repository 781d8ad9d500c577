"""Tests of app/booking/."""
