"""Sandbox benchmark (placeholder until the full table lands in this branch)."""
