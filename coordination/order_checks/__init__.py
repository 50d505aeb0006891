"""Checks of protection orders: the schedule, records chained so that they
cannot be faked, escalation of missed checks, the response to a breach."""
