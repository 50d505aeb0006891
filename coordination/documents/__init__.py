"""Documents attached to a case: checked by content, stored outside the web root."""
