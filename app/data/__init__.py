"""Data access: the queries the services need, in one place per domain."""
