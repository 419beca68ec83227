"""Config plus everything compiled from it, loaded and checked in one step."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from classifiers.gazetteer import Gazetteer, parse_gazetteer
from classifiers.matcher import unmatchable
from classifiers.topics import Classifier, build_classifier, topic_patterns, unknown_references
from core.config import Config, load_config
from core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Runtime:
    config: Config
    classifier: Classifier
    warnings: tuple[str, ...]


def load_gazetteer(path: str | Path) -> Gazetteer:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: gazetteer file not found"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: TOML syntax error: {exc}"]) from None
    gazetteer, problems = parse_gazetteer(raw)
    if problems:
        raise ConfigError([f"{path}: {p}" for p in problems])
    return gazetteer


def load_runtime(path: str | Path | None = None) -> Runtime:
    """Parse, validate and compile; ConfigError lists every problem found."""
    config = load_config(path)
    gazetteer = load_gazetteer(config.gazetteer)
    problems, warnings = [], []
    for name, topic in config.topics.items():
        for ref in unknown_references(topic, gazetteer):
            problems.append(f"topics.{name}: {ref!r} names no entity in {config.gazetteer}")
        for pattern in sorted(topic_patterns(topic)):
            why = None if pattern.startswith("@") else unmatchable(pattern)
            if why:
                warnings.append(f"topics.{name}: term {pattern!r} can never match: {why}")
    if problems:
        raise ConfigError(problems)
    seen: dict[str, str] = {}
    for feed in config.feeds:
        if feed.url in seen:
            warnings.append(f"feeds: {feed.name!r} and {seen[feed.url]!r} poll the same url")
        seen[feed.url] = feed.name
    classifier = build_classifier(config.topics, gazetteer, config.bot.languages)
    return Runtime(config, classifier, tuple(warnings))
