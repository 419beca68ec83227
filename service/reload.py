"""Hot reload: notice an edited config (or gazetteer), check it, and say what changed.

The worker calls ``check_for_edit`` every few seconds. An edit that does not validate is
reported once and the running config stays; a valid one comes back compiled, with a
readable list of changes for the log.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from core.config import Config, TopicConfig, read_config
from core.errors import ConfigError
from service.runtime import Runtime, build_runtime, source_version

SETTLE_SECONDS = 1.0  # a file written less than this long ago may be half-saved: look again later
# Settings the running worker built its parts from; they change on the next start.
RESTART_FIELDS = {
    "fetch": ("user_agent", "connect_timeout", "read_timeout", "deadline", "max_bytes", "max_redirects",
              "concurrency", "per_host"),
    "storage": ("path",),
    "server": ("host", "port", "stale_after", "reload_check", "public_url"),
    "telegram": ("timeout",),
}


@dataclass(frozen=True, slots=True)
class Reload:
    version: str
    runtime: Runtime | None = None  # None: the edit was refused
    changes: tuple[str, ...] = ()
    restart_needed: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def check_for_edit(path: Path, current: Runtime, refused: str | None = None) -> Reload | None:
    """None while the files are as last seen (running, or refused as ``refused``)."""
    try:
        if time.time() - max(path.stat().st_mtime, Path(current.config.gazetteer).stat().st_mtime) < SETTLE_SECONDS:
            return None
        _, text = read_config(path)
    except FileNotFoundError:
        return None  # mid-rename by an editor, or gone: the next look decides
    except (OSError, ConfigError) as exc:
        problems = exc.problems if isinstance(exc, ConfigError) else [f"{path}: cannot read: {exc}"]
        version = hashlib.sha256("\n".join(problems).encode()).hexdigest()[:10]
        return None if version == refused else Reload(version, problems=tuple(problems))
    version = source_version(text, current.config.gazetteer)
    if version in (current.version, refused):
        return None
    try:
        runtime = build_runtime(path, text)
    except ConfigError as exc:
        return Reload(version, problems=tuple(exc.problems))
    return Reload(version, runtime, tuple(describe_changes(current.config, runtime.config)),
                  tuple(restart_needed(current.config, runtime.config)))


def describe_changes(old: Config, new: Config) -> list[str]:
    """What an operator changed, in words: feeds, topic terms, thresholds, channels, settings."""
    changes: list[str] = []
    before, after = {f.url: f for f in old.feeds}, {f.url: f for f in new.feeds}
    changes += [f"feed added: {after[u].name}" for u in after if u not in before]
    changes += [f"feed removed: {before[u].name}" for u in before if u not in after]
    changes += [f"feed changed: {after[u].name}" for u in after if u in before and after[u] != before[u]]
    for name in new.topics.keys() - old.topics.keys():
        changes.append(f"topic added: {name}")
    for name in old.topics.keys() - new.topics.keys():
        changes.append(f"topic removed: {name}")
    for name in old.topics.keys() & new.topics.keys():
        changes += _topic_changes(name, old.topics[name], new.topics[name])
    if old.channels != new.channels:
        changes.append(f"channels: {len(old.channels)} -> {len(new.channels)} routes, edited")
    for section in ("bot", "fetch", "storage", "telegram", "alerts", "commentary", "server", "gazetteer"):
        if getattr(old, section) != getattr(new, section):
            changes.append(f"{section} settings changed")
    return changes


def _topic_changes(name: str, old: TopicConfig, new: TopicConfig) -> list[str]:
    """Terms added or removed per cue, evidence added, removed or re-pointed, other fields."""
    changes = []
    for cue in dict.fromkeys([*old.cues, *new.cues]):
        before, after = old.cues.get(cue, ()), new.cues.get(cue, ())
        for label, terms in (("term added", [t for t in after if t not in before]),
                             ("term removed", [t for t in before if t not in after])):
            if terms:
                changes.append(f"{name}: {cue}: {label}{'s' if len(terms) > 1 else ''} " + _some(terms))
    for label, rules in (("evidence added", [r for r in new.evidence if r not in old.evidence]),
                         ("evidence removed", [r for r in old.evidence if r not in new.evidence]),
                         ("points changed", [r for r in new.evidence if r in old.evidence
                                             and new.evidence[r] != old.evidence[r]])):
        if rules:
            changes.append(f"{name}: {label}: " + _some(rules))
    for field in TopicConfig.model_fields:
        if field not in ("cues", "evidence") and getattr(old, field) != getattr(new, field):
            value = getattr(new, field)
            changes.append(f"{name}: {field} " + (f"{getattr(old, field)} -> {value}" if isinstance(value, float | int)
                                                 else "edited"))
    return changes


def _some(items: list[str], shown: int = 8) -> str:
    return ", ".join(items[:shown]) + (f" (+{len(items) - shown} more)" if len(items) > shown else "")


def restart_needed(old: Config, new: Config) -> list[str]:
    return [f"{section}.{field}" for section, fields in RESTART_FIELDS.items() for field in fields
            if getattr(getattr(old, section), field) != getattr(getattr(new, section), field)]
