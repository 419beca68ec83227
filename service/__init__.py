"""The service above the stages: it drives fetchers, classifiers, alerts and the store.

The run_cycle() orchestrator (pipeline), the worker's scheduler loop, runtime and hot
reload, health and metrics serving, membership among workers, and the bodies of the
commands bot.py dispatches to (operate, reading, status, backtest, feedback: the desk's
loop). It may import every
stage and core; nothing below it imports it.
"""
