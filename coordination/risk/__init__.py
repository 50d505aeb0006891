"""Risk assessment: the checklist, its score and level, the repeat rule."""
