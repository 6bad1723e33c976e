"""Reads of the leadership app, one module per concept."""
