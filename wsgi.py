"""WSGI entry point: gunicorn wsgi:app, flask --app wsgi ..."""

from app import create_app
from app.timeutil import load_bank_holidays

app = create_app()
load_bank_holidays()  # in each server process as it starts, not in its first booking
