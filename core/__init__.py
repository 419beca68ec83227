"""Shared value types, configuration, errors, logging and the one orchestrator."""
