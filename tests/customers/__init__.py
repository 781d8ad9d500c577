"""Tests of app/customers/."""
