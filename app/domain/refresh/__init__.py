"""Refresh data: the integration's cache of lists, segments, counts and contact data attributes,
reloaded from Intercom when asked for and periodically (each integration at its own slot)."""
