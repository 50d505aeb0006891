"""Protection orders: temporary (police) and court restrictions, and violations."""
