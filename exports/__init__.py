"""Outputs from plain data to bytes: the meeting minutes, and the anonymized
aggregate reports (``report.Report`` -> CSV, XLSX, PDF, SVG charts).

Pure functions; nothing here imports ``coordination``.
"""
