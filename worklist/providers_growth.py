"""Overdue roadmap items and ИОМ steps (filled in below)."""
