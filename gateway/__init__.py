"""The single window: authentication, intake, dispatch, receipts, sandbox controls."""
