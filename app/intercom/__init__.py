"""Intercom REST API 2.14 adapter. Knows nothing of our database."""
