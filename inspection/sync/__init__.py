"""Offline sync: the change feed, the offline package, push with conflicts, pull."""
