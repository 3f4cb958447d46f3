"""Placeholder; replaced by the official-surface work."""
