"""Tests of app/catalogue/."""
