"""Shared fixtures. Each level (unit, integration, e2e) adds its own conftest beside its tests."""
