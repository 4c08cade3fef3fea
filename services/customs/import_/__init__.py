"""Retail imports: 9610 direct purchase and 1210 bonded import (清单验放), the account book."""
