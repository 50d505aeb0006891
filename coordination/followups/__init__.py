"""Follow-ups: the actions of a case's action plan, each owned by one agency."""
