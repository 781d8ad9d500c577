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
# Threads and database connections are sized apart. Threads are for waiting: long polls (kiosk and agent
# calls, up to 20 s each) hold a thread but no connection while they wait (each open kiosk call holds two,
# each agent console one), so 4 workers x 20 threads serve 80 requests at once. Connections are for working:
# a worker runs Python on one core at a time (the GIL), and past a few requests in flight more connections
# only add PostgreSQL backends competing for the same cores. So each worker keeps a pool of
# DATABASE_POOL_SIZE (8) connections open and never opens more (DATABASE_MAX_OVERFLOW 0): a request waits
# for a pooled connection (up to 30 s) instead of opening one, which would cost PostgreSQL a new session (a
# few ms of CPU). Measured back to back (bench/README.md, "Threads, pool and overflow"): 8 a worker instead
# of one per thread cut PostgreSQL's CPU per request by about 9 %; 4 cut it by a quarter but sometimes left
# a worker idle, its few connections all held by bookings waiting for an officer-day lock; 2 were too few.
# Each worker also keeps up to 4 read connections for the reads a request makes before its transaction
# (app.extensions.ReadConnections). 4 workers x (8 + 4) = 48 connections per app server, inside PostgreSQL's
# max_connections (100) with the scheduler, the dispatchers and each worker's LISTEN connection (80, one per
# thread, left little room: a second app server or a benchmark beside it was refused connections). The
# trade-off: a worker serves at most 8 requests at once inside the database; a page that holds its
# transaction for long holds one of them.
threads = int(os.environ.get("GUNICORN_THREADS", "20"))
POOL_SIZE = 8  # per worker; DATABASE_POOL_SIZE overrides it


def on_starting(server):
    """Before any worker loads the app: each worker's pool (read by app.config.Settings)."""
    os.environ.setdefault("DATABASE_POOL_SIZE", str(min(POOL_SIZE, server.cfg.threads)))
    os.environ.setdefault("DATABASE_MAX_OVERFLOW", "0")


# Above the load balancer's idle timeout (60 s is comfortable), so gunicorn never closes a connection
# the balancer is about to reuse (README, "Running it in production").
keepalive = 75
