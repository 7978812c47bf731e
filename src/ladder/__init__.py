"""Ladder: a self-hosted career-ladder system."""
