"""Messages to residents and staff: contact details, consent, the outbox, sending exactly once, reminders
and letters."""
