"""Network out: summaries, messages, the outbox sender and the console/JSONL sinks."""
