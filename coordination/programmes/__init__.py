"""Correctional programmes for alleged perpetrators."""
