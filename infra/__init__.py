"""Domain-free plumbing shared by the gateway and the services.

Settings, database engines and the unit of work, the error tree and its problem+json
rendering, Redis/rq helpers, the simulator clock and its scheduler. Nothing here knows
about customs, tax or CEB messages.
"""
