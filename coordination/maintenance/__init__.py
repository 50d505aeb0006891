"""Operator maintenance: backups and their restore, the retention rule."""
