"""Booking: availability, booking, cancelling and rescheduling, the waitlist, interpreters, the
supervisors' call list and the phone agent's view."""
