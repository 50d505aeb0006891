"""Incoming hotline and police reports and the district's triage queue."""
