"""Tests of app/messaging/."""
