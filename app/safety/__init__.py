"""Lone working: check-in, expected finish and escalation, the on-duty rota, officers' work phones and
their day."""
