"""Territories: regions, districts and municipalities (ayil aimaks, towns)."""
