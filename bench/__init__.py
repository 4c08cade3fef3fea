"""Benchmarks: they print their figures; nothing here is a test."""
