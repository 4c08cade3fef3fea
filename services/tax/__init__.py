"""Tax: import comprehensive tax and tax bills, export VAT exemption and refunds."""
