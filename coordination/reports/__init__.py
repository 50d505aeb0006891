"""Anonymized aggregate reports: the engine, disclosure control, the page."""
