"""Payments: payment and receipt records, FX settlement and purchase, quotas, matching."""
