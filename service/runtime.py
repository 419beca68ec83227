"""Config plus everything compiled from it, loaded and checked in one step."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from classifiers.gazetteer import Gazetteer, parse_gazetteer
from classifiers.matcher import unmatchable
from classifiers.topics import Classifier, build_classifier, topic_patterns, unknown_references
from core.config import Config, TopicConfig, field_path, locate, parse_config, read_config, with_defaults
from core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Runtime:
    config: Config
    classifier: Classifier
    warnings: tuple[str, ...]
    version: str = ""  # of the config and gazetteer texts it was built from: logs say which one ran


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
    return build_runtime(*read_config(path))


def build_runtime(path: Path, text: str) -> Runtime:
    try:
        config = parse_config(path, text)
    except ConfigError as exc:
        raise ConfigError(exc.problems + _reference_problems(path, text)) from None
    gazetteer = load_gazetteer(config.gazetteer)
    problems, warnings = cross_check(config, gazetteer)
    if problems:
        raise ConfigError([_located(path, text, finding) for finding in problems])
    classifier = build_classifier(config.topics, gazetteer, config.bot.languages, config.commentary)
    return Runtime(config, classifier, tuple(_located(path, text, finding) for finding in warnings),
                   source_version(text, config.gazetteer))


def source_version(text: str, gazetteer: str) -> str:
    digest = hashlib.sha256(text.encode())
    try:
        digest.update(Path(gazetteer).read_bytes())
    except OSError:
        pass  # a missing gazetteer is reported by load_gazetteer
    return digest.hexdigest()[:10]


Finding = tuple[tuple, str | None, str]  # field path, text to find its line by, message


def cross_check(config: Config, gazetteer: Gazetteer) -> tuple[list[Finding], list[Finding]]:
    """Checks that span sections: (problems, warnings), each with where to point the operator."""
    problems: list[Finding] = []
    warnings: list[Finding] = []
    for name, topic in config.topics.items():
        problems += _unknown_entities(name, topic, gazetteer, config.gazetteer)
        for pattern in sorted(topic_patterns(topic)):
            why = None if pattern.startswith("@") else unmatchable(pattern)
            if why:
                warnings.append((("topics", name), f'"{pattern}"', f"term {pattern!r} can never match: {why}"))
    for word in config.commentary.sources:
        why = unmatchable(word)
        if why:
            warnings.append((("commentary", "sources"), f'"{word}"', f"source word {word!r} can never match: {why}"))
    if not config.feeds:
        warnings.append((("feeds",), None, "no feeds: the worker has nothing to poll"))
    if not config.channels:
        warnings.append((("channels",), None, "no channels: alerts reach only private subscribers and the console"))
    names: dict[str, int] = {}
    urls: dict[str, str] = {}
    for index, feed in enumerate(config.feeds):
        if feed.name in names:
            problems.append((("feeds", index, "name"), None,
                             f"duplicate feed name {feed.name!r} (also feeds[{names[feed.name]}]); names tell outlets apart"))
        names.setdefault(feed.name, index)
        if feed.url in urls:
            warnings.append((("feeds", index, "url"), None,
                             f"{feed.name!r} polls the same url as {urls[feed.url]!r}; it is polled once"))
        urls.setdefault(feed.url, feed.name)
    for index, channel in enumerate(config.channels):
        for topic in channel.topics:
            if topic not in config.topics:
                warnings.append((("channels", index, "topics"), None,
                                 f"unknown topic {topic!r} (topics: {', '.join(config.topics)}); "
                                 f"{channel.chat_id} gets nothing for it"))
    return problems, warnings


def _unknown_entities(name: str, topic: TopicConfig, gazetteer: Gazetteer, source: str) -> list[Finding]:
    return [(("topics", name), f'"{ref}"', f"{ref!r} names no entity in {source}")
            for ref in unknown_references(topic, gazetteer)]


def _reference_problems(path: Path, text: str) -> list[str]:
    """Unknown entities in the topics that are valid, so that schema errors elsewhere hide nothing."""
    try:
        raw = with_defaults(tomllib.loads(text), path)
        topics, gazetteer = raw["topics"], load_gazetteer(str(raw["gazetteer"]))
    except (tomllib.TOMLDecodeError, ConfigError, KeyError):
        return []
    found = []
    for name, topic in topics.items() if isinstance(topics, dict) else ():
        try:
            found += _unknown_entities(name, TopicConfig.model_validate(topic), gazetteer, raw["gazetteer"])
        except ValidationError:
            continue
    return [_located(path, text, finding) for finding in found]


def _located(path: Path, text: str, finding: Finding) -> str:
    """``file:line: field.path: message``; the line of a term is found by its quoted text."""
    loc, needle, message = finding
    line = next((n for n, row in enumerate(text.splitlines(), start=1) if needle in row), None) if needle \
        else locate(text, loc)
    return f"{path}:{line}: {field_path(loc)}: {message}" if line else f"{path}: {field_path(loc)}: {message}"
