"""Aggregate outputs: rows already aggregated and suppressed -> CSV, XLSX, PDF.

Pure functions from rows to bytes; nothing here imports ``coordination``.
The renderers arrive with the reports (issue: anonymized aggregate reports).
"""
