"""Prometheus metrics of the worker, in a registry of its own (served by service/health.py)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

FEED_POLLS = Counter("bot_feed_polls", "Feed polls by outcome (changed, unchanged, failed).", ["outcome"],
                     registry=REGISTRY)
POLL_SECONDS = Histogram("bot_feed_poll_seconds", "Time of one feed poll, pages and classification included.",
                         buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=REGISTRY)
NEW_ENTRIES = Counter("bot_entries_new", "Entries not seen before.", registry=REGISTRY)
ALERTS = Counter("bot_alerts", "New stories alerted, by topic.", ["topic"], registry=REGISTRY)
STORY_UPDATES = Counter("bot_story_updates", "Outlets added to a story already alerted.", registry=REGISTRY)
DELIVERIES = Counter("bot_deliveries", "Telegram calls by result (sent, edited, retry, failed, chat_disabled).",
                     ["result"], registry=REGISTRY)
CONFIG_RELOADS = Counter("bot_config_reloads", "Config edits seen by result (applied, refused).", ["result"],
                         registry=REGISTRY)
OUTBOX_PENDING = Gauge("bot_outbox_pending", "Messages waiting in the outbox.", registry=REGISTRY)
FEEDS_FAILING = Gauge("bot_feeds_failing", "Configured feeds whose last poll failed.", registry=REGISTRY)
HEARTBEAT = Gauge("bot_heartbeat_timestamp_seconds", "When the worker's event loop last reported alive.",
                  registry=REGISTRY)
ALERT_LATENCY = Histogram("bot_alert_latency_seconds",
                          "From an article's publication (when its feed says a plausible time) to its first message.",
                          buckets=(5, 10, 20, 30, 45, 60, 75, 90, 120, 180, 300, 600, 1800), registry=REGISTRY)
TELEGRAM_UP = Gauge("bot_telegram_reachable", "1 while the Bot API answers, 0 during an outage.", registry=REGISTRY)
WORKER = Gauge("bot_worker_info", "This worker (1), by id and host; one series per worker on the database.",
               ["worker", "host"], registry=REGISTRY)
FEED_SHARE = Gauge("bot_feeds_owned", "Configured feeds this worker polls (its share among the live workers).",
                   registry=REGISTRY)
WORKERS_LIVE = Gauge("bot_workers_live", "Workers beating on this database, this one included.", registry=REGISTRY)
LEADER = Gauge("bot_worker_leader", "1 while this worker leads (digests, pruning, the admin's notices).",
               registry=REGISTRY)
