"""Grading attempts: the map over attempts, the judge and what crosses to it, restoring and probing."""
