"""The survivor's consent: to share with agency types, to be counted in statistics."""
