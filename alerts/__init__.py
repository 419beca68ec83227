"""Network out: summaries, messages and a situation's thread (what rings), the outbox sender,
Telegram and its reachability, digests, the console/JSONL sinks, the desk's mark buttons
and /missed links. Imports core and the store;
never the service above it."""
