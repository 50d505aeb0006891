"""The statistics layer: anonymized statistical records and their protection."""
