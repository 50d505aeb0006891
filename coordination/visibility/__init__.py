"""Which agencies see which case, kept as rows: what makes lists cost a page."""
