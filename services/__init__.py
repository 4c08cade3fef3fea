"""The agencies behind the single window, each its own app and database."""
