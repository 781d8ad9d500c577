"""gunicorn's configuration: what production runs and what bench/booking_bench.py measures.

    gunicorn wsgi:app            (gunicorn reads this file from the working directory)

Command-line options override it (the bench's --workers and --worker-class; the tests' --bind).
Measured choices are in bench/README.md, section 3.
"""

import os

# gthread: long polls (kiosk and agent calls, up to 20 s each) hold a thread, not a whole worker; a
# kept-alive connection from the load balancer is reused instead of a new TCP connection per request.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))  # about two per core
# Threads and database connections are sized together: one pooled connection per thread, kept open,
# so no request waits for a new PostgreSQL session (a few ms of CPU each; with 32 threads and a pool
# of 5 + 10 the bench saw 110-280 opened and closed per 3,000 requests). 4 workers x 20 = 80 connections,
# inside PostgreSQL's default max_connections (100) with room for the scheduler, the dispatchers and
# each worker's LISTEN connection. The trade-off: 80 threads in all for long polls, which hold a
# thread (not a connection) while they wait: each open kiosk call holds two, each agent console one.
# Every worker keeps `threads` connections: with more workers (WEB_CONCURRENCY) or threads (for more
# kiosks and agents), keep workers x threads inside PostgreSQL's max_connections, raising it if need
# be. (8, 16 and 32 threads cost the same CPU per request: bench/README.md.)
threads = int(os.environ.get("GUNICORN_THREADS", "20"))


def on_starting(server):
    """Before any worker loads the app: its pool gets the threads finally chosen (--threads too)."""
    os.environ.setdefault("DATABASE_POOL_SIZE", str(server.cfg.threads))  # read by app.config.Settings


# Above the load balancer's idle timeout (60 s is comfortable), so gunicorn never closes a connection
# the balancer is about to reuse (README, "Running it in production").
keepalive = 75
