"""Inspections: creation, answers, submission and review, the findings they derive, where
the team stood (location check) and the listings of both."""
