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
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
# Above the load balancer's idle timeout (60 s is comfortable), so gunicorn never closes a connection
# the balancer is about to reuse (README, "Running it in production").
keepalive = 75
