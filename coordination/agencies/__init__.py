"""Agencies: the bodies that share the work on a family."""
