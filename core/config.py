"""config.toml parsed once into frozen, validated objects.

Every problem is reported at once, each with the file and a line number where one can
be found, so an operator fixes a broken edit in one pass.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import ConfigError

DEFAULT_CONFIG = "config.toml"
DEFAULT_DB = "data/bot.sqlite3"
DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_GAZETTEER = "classifiers/entities.toml"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONFIG = PROJECT_ROOT / "config.toml"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BotSettings(Frozen):
    timezone: str = "Asia/Damascus"
    languages: tuple[str, ...] = ("ar",)
    digest_hour: int = Field(8, ge=0, le=23, description="local hour of daily digests")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class FetchSettings(Frozen):
    user_agent: str = "ArabicCoverageMonitor/1.0 (+news monitoring bot)"
    connect_timeout: float = Field(5.0, gt=0)
    read_timeout: float = Field(15.0, gt=0)
    deadline: float = Field(30.0, gt=0, description="total seconds for one request")
    max_bytes: int = Field(5_000_000, ge=10_000)
    max_redirects: int = Field(5, ge=0, le=20)
    concurrency: int = Field(50, ge=1, le=1000)
    per_host: int = Field(4, ge=1, le=100)
    interval: int = Field(300, ge=30, description="default seconds between polls of a feed")
    min_interval: int = Field(60, ge=10, description="fastest polling for a busy feed")
    max_interval: int | None = Field(None, ge=30, description="slowest polling for a quiet feed (default: interval)")
    backlog_hours: float = Field(6.0, ge=0, description="older unseen entries are recorded without alerting; 0: off")
    max_entries: int = Field(500, ge=1, description="newest entries looked at per poll")


class StorageSettings(Frozen):
    path: str = DEFAULT_DB


class TelegramSettings(Frozen):
    admin_chat_id: int | str | None = None
    timeout: float = Field(20.0, gt=0)


class FeedConfig(Frozen):
    name: str = Field(min_length=1)
    url: str
    interval: int | None = Field(None, ge=30)
    kind: Literal["state", "opposition", "international", "un", "independent", "aggregator"] | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"feed url must start with http:// or https:// (got {value!r})")
        return value


Pattern = Annotated[str, Field(min_length=1)]


class GroupRule(Frozen):
    """Terms of which at least one must match; ``near`` asks for proximity to another group."""

    name: str
    any: tuple[Pattern, ...] = Field(min_length=1)
    near: str | None = None


class TopicConfig(Frozen):
    label: str
    threshold: float = Field(gt=0)
    title_boost: float = Field(2.0, ge=1)
    min_distinct: int = Field(1, ge=1)
    proximity: int = Field(12, ge=1, description="words between 'near' groups")
    terms: dict[Pattern, float] = Field(min_length=1)
    groups: tuple[GroupRule, ...] = ()
    exclude: tuple[Pattern, ...] = ()

    @model_validator(mode="after")
    def _groups_consistent(self) -> "TopicConfig":
        names = [g.name for g in self.groups]
        for group in self.groups:
            if group.near and group.near not in names:
                raise ValueError(f"group {group.name!r} is near unknown group {group.near!r}")
        return self


class ChannelConfig(Frozen):
    chat_id: int | str
    topics: tuple[str, ...] = Field(min_length=1)
    thread_id: int | None = None
    mode: Literal["instant", "hourly", "daily"] = "instant"

    @field_validator("chat_id")
    @classmethod
    def _chat_id(cls, value: int | str) -> int | str:
        if isinstance(value, str) and not re.fullmatch(r"@[A-Za-z][A-Za-z0-9_]{3,}|-?\d+", value):
            raise ValueError(f"chat_id must be a number or an @channel name (got {value!r})")
        return value


class Config(Frozen):
    bot: BotSettings = BotSettings()
    fetch: FetchSettings = FetchSettings()
    storage: StorageSettings = StorageSettings()
    telegram: TelegramSettings = TelegramSettings()
    gazetteer: str = DEFAULT_GAZETTEER
    feeds: tuple[FeedConfig, ...] = ()
    topics: dict[str, TopicConfig] = Field(min_length=1)
    channels: tuple[ChannelConfig, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> "Config":
        problems = []
        seen: set[str] = set()
        for index, feed in enumerate(self.feeds):
            if feed.name in seen:
                problems.append(f"feeds[{index}].name: duplicate feed name {feed.name!r}")
            seen.add(feed.name)
        for index, channel in enumerate(self.channels):
            for topic in channel.topics:
                if topic not in self.topics:
                    problems.append(f"channels[{index}].topics: unknown topic {topic!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def config_path(path: str | None = None) -> Path:
    return Path(path or os.environ.get("BOT_CONFIG") or DEFAULT_CONFIG)


def db_path(config: Config) -> Path:
    return Path(os.environ.get("BOT_DB") or config.storage.path)


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate; raise ConfigError listing every problem with its location."""
    path = config_path(str(path) if path else None)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: TOML syntax error: {exc}"]) from None
    raw = _with_defaults(raw, path)
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError([_describe(path, text, error) for error in exc.errors()]) from None


def _with_defaults(raw: dict, path: Path) -> dict:
    """Resolve the gazetteer path; a config without topics gets the shipped ones."""
    raw = dict(raw)
    if "topics" not in raw and path.resolve() != SHIPPED_CONFIG:
        raw["topics"] = tomllib.loads(SHIPPED_CONFIG.read_text(encoding="utf-8"))["topics"]
    gazetteer = Path(raw.get("gazetteer", DEFAULT_GAZETTEER))
    if not gazetteer.is_absolute():
        beside = path.parent / gazetteer
        raw["gazetteer"] = str(beside if beside.exists() else PROJECT_ROOT / gazetteer)
    return raw


def _describe(path: Path, text: str, error: dict) -> str:
    loc = tuple(error["loc"])
    field = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")
    line = locate(text, loc)
    where = f"{path}:{line}" if line else str(path)
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {field or 'top level'}: {message}"


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


def locate(text: str, loc: tuple) -> int | None:
    """Best-effort line of a field path such as ("feeds", 2, "url") in TOML text."""
    keys = [str(p) for p in loc if not isinstance(p, int)]
    indexes = [p for p in loc if isinstance(p, int)]
    table: list[str] = []
    counters: dict[str, int] = {}
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = [part.strip().strip('"') for part in header.group(2).split(".")]
            if header.group(1) == "[[":
                name = ".".join(table)
                counters[name] = counters.get(name, -1) + 1
                if indexes and table == keys[: len(table)] and counters[name] == indexes[0]:
                    best = best if len(keys) > len(table) and best and best > number else number
            elif table == keys[: len(table)]:
                best = number
            continue
        key = _KEY.match(line)
        if not key:
            continue
        name = key.group(1).strip("\"'")
        path = table + [name]
        in_right_item = not indexes or counters.get(".".join(table), indexes[0]) == indexes[0]
        if in_right_item and path == keys[: len(path)] and (best is None or len(path) >= 1):
            best = number
            if path == keys:
                return number
    return best
