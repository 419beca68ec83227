"""The pure core: text in, scores and explanations out. No I/O, no globals beyond caches."""
