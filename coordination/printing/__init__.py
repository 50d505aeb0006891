"""Printable records of a case (PDF), each in the reader's language and audited."""
