"""The ceiling: a bare Flask app, served by the same gunicorn configuration as the app, answering "ok".

booking_bench.py sends it the same client's requests beside the real ones, so every result shows what
the client, gunicorn and Flask allow on this machine before the app does anything.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok():
    return "ok"
