"""Shared contracts: CEB message models, their XML/JSON codec, code tables and events.

This package is the only domain code every part imports. It holds no tables, no
settings and does no I/O.
"""
