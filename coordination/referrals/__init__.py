"""Referrals: one agency asks another for a service on a case."""
