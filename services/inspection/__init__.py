"""Inspection and quarantine: prohibited and negative lists, risk rules, sampling, results."""
