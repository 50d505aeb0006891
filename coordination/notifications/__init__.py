"""In-app notifications: what needs an agency's attention, read per user."""
