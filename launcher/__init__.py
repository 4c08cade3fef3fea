"""Runs the whole single window: every part as its own process, supervised.

``singlewindow start`` is the local stand-in for docker-compose: the same topology
(``launcher.topology``), the same commands, with SQLite files and an embedded Redis when
no real servers are given.
"""
