"""Background jobs (RQ) and their queue plumbing."""
