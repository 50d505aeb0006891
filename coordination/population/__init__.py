"""Population figures: the denominators of the rates per 10,000 the statistics publish."""
