"""Residents: matching names, equality monitoring, satisfaction, "Tell us" feedback, and data retention."""
