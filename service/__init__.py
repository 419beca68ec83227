"""The service above the stages: it drives fetchers, classifiers, alerts and the store.

The run_cycle() orchestrator, the worker's scheduler loop, runtime and hot reload, health
and metrics serving, membership among workers, and the bodies of the commands. It may
import every stage and core; nothing below it imports it.
"""
