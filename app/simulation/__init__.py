"""The simulated month: the real services on a virtual clock (`flask --app wsgi simulate`).

Residents, agents and kiosks book through the booking engine; officers work their planned days through
the safety services; a supervisor records a sickness and publishes its re-plan; every scheduler job
runs at its time from the one list; messages go to a log sender. The counters (counters.py) are
measured from the database and from what the sender received, so a bug in the product shows as a
number that is not 0.

world.py prepares the database, timeline.py walks the clock, residents.py, field.py and supervisors.py
are the people, planwatch.py looks at every plan as it is stored, and runner.py puts them together.
"""
