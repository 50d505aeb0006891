"""The survivor's own safety plan, a section of the case."""
