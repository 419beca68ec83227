"""Network in: feeds polled, pages fetched, bodies extracted."""
