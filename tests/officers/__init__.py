"""Tests of app/officers/."""
