"""Customs: orders, payments as seen by customs, waybills, inventory lists, release."""
