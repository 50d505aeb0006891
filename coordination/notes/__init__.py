"""Case notes: what the survivor said, what an agency did, dated, by agency."""
