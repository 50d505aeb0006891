"""Committee meetings: the agenda, attendance, decisions (follow-ups), minutes."""
