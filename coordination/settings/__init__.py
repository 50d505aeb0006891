"""Settings operators change in the app: deadlines, order durations, k, risk thresholds."""
