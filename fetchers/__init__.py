"""Network in: feeds polled, pages fetched, bodies extracted. Imports core; never the service."""
