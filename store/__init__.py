"""All persistent state behind one interface (SQLite now; all SQL lives in this package)."""

from store.sqlite import ChatState, FeedState, OutboxRow, Store, StoryRecord

__all__ = ["ChatState", "FeedState", "OutboxRow", "Store", "StoryRecord"]
