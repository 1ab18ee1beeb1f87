"""Scoring against the six pejlemærker, ranking, sensitivity and portfolio choice."""
