"""Who opened this file: other agencies' views of a case, from the audit log."""
