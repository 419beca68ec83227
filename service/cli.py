"""What every command shares: its config loaded (exit 2 on an error), a console, an event loop."""

from __future__ import annotations

import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from core.errors import ConfigError
from core.logs import event
from service.runtime import Runtime, load_runtime

log = logging.getLogger("bot")
T = TypeVar("T")


def console(stderr: bool = False):
    """A rich console: terminal width in a terminal; in a pipe or file, wide enough that rows do not wrap."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else 200)


def load(path: str | Path | None) -> Runtime:
    try:
        runtime = load_runtime(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"config error: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    for warning in runtime.warnings:
        event(log, "config_warning", logging.WARNING, detail=warning)
    return runtime


def in_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio is imported by the commands that need it: classify starts ~0.1 s sooner without it."""
    import asyncio

    return asyncio.run(coroutine)
