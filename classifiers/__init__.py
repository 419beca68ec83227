"""The pure core: text in, scores, stories, situations and explanations out. No I/O, no globals
beyond caches; imports core only (no network, database or Telegram package)."""
