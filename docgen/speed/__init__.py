"""What makes docgen fast, kept apart from the stages: content-hash caches, the worker pool,
input fingerprints, the output manifest, the up-to-date check built on it, and progress."""
