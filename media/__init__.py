"""Photo evidence: storage, hashing and image safety; no Flask."""
