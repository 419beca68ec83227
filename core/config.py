"""config.toml parsed once into frozen, validated objects.

Every problem is reported at once, each with the file and a line number where one can
be found, so an operator fixes a broken edit in one pass.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
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
    editors: tuple[int, ...] = Field((), description="Telegram user ids whose marks on alerts count for the desk")

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
    interval: int = Field(120, ge=30, description="seconds between polls of a feed whose pace is not known yet")
    min_interval: int = Field(30, ge=10, description="fastest polling for a busy feed")
    max_interval: int | None = Field(900, ge=30, description="slowest polling for a quiet feed")
    backlog_hours: float = Field(6.0, ge=0, description="older unseen entries are recorded without alerting; 0: off")
    max_entries: int = Field(500, ge=1, description="newest entries looked at per poll")


class StorageSettings(Frozen):
    path: str = DEFAULT_DB
    url: str | None = Field(None, pattern=r"^postgres(ql)?://", description="PostgreSQL instead of the SQLite file")
    keep_days: int = Field(14, ge=1, le=365, description="days every classified article is kept for marks and replays")


class TelegramSettings(Frozen):
    admin_chat_id: int | str | None = None
    timeout: float = Field(20.0, gt=0)


class AlertSettings(Frozen):
    """What rings in an instant channel (alerts/threads.py): the first story of a situation, and
    later ones that change it, within a budget."""

    rings: int = Field(2, ge=1, le=10, description="notifications one situation may give a chat, its first included")
    ring_gap: float = Field(3600.0, ge=0, description="seconds between two rings of one situation (articles' clock)")
    open_margin: float = Field(0.0, ge=0, description="points above a topic's threshold a story needs to open "
                                                      "a situation of its own; joining one needs the threshold")


# Words that name an opinion section, alone or within its name («مقالات الرأي», "opinion-articles"). Not
# "articles": Youm7 files its news under it.
OPINION_SECTIONS = ("مقالات", "مقال", "رأي", "آراء", "الرأي", "وجهات نظر", "وجهة نظر", "أعمدة", "أقلام", "زوايا", "كتاب",
                    "كتّاب", "افتتاحية", "opinion", "opinions", "columns", "column", "columnists", "writers", "blogs",
                    "op-ed", "editorial", "editorials", "commentary")


# Words by which news names where it comes from (a speaker's verb, an agency, a source); a column
# argues in its own voice and rarely names one. Stems end in *; clitics are allowed.
NEWS_SOURCES = ("قال", "قالت", "يقول", "تقول", "أعلن*", "يعلن", "تعلن", "أكد*", "يؤكد", "تؤكد", "ذكر*", "أفاد*",
                "صرح*", "أوضح*", "أشار*", "أضاف*", "تابع", "كشف*", "نفى", "نفت", "نقلا", "بحسب", "حسب", "وفقا",
                "وكالة", "مراسل", "مصادر", "مصدر", "بيان", "رويترز", "فرانس برس", "سانا", "واس", "كونا", "الأناضول")

# How a column or an editorial signs its text's opening line («بقلم: سامي الدخيل», «كلمة الرياض», «رأي
# عكاظ», CNN's «هذا المقال بقلم ...»), and how an analysis is labelled there («تحليل إخباري»).
COLUMN_LABELS = ("بقلم", "هذا المقال بقلم", "كلمة", "رأي", "الرأي", "افتتاحية", "مقال", "كلمة اليوم", "كلمة الرياض")
ANALYSIS_LABELS = ("تحليل", "قراءة")

# Words by which news dates what it tells in its opening (a day, a time of day, a month); a column's
# opening argues without a date.
NEWS_DAYS = ("اليوم", "أمس", "الليلة", "غدا", "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة",
             "السبت", "صباح", "مساء", "فجر", "ظهر", "يناير", "فبراير", "مارس", "أبريل", "إبريل", "مايو", "يونيو",
             "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار", "نيسان", "أيار",
             "حزيران", "تموز", "آب", "أيلول", "تشرين")


class CommentarySettings(Frozen):
    """Opinion columns discuss the war on every line but report no new event: by default they
    never alert. A feed is commentary when marked `opinion = true`, an item when the feed files it
    under a section that one of `sections` names, whole or as one of its words, or when its text
    reads as a column (classifiers/commentary.py): it asks or exclaims at least `questions` times,
    names no source in its opening and few anywhere (under `source_rate` of `sources` per 1,000 words),
    or asks twice as often and names a little more, or when a writer signs it: a headline «X يكتب:», an
    opening line that starts with one of `column_labels`. A text that argues without asking (`argued_words`
    words or more, no source and no day (`days`) in its opening, few sources anywhere and few figures),
    or whose opening line starts with one of `analysis_labels`, alerts but opens no thread of its own."""

    alert: bool = False
    sections: tuple[str, ...] = OPINION_SECTIONS
    questions: int = Field(2, ge=0, description="question and exclamation marks from which a text may read as "
                                                "a column; 0: texts are not read for commentary")
    sources: tuple[str, ...] = NEWS_SOURCES
    source_rate: float = Field(6.0, ge=0, description="source words per 1,000 at which a text reads as news")
    days: tuple[str, ...] = NEWS_DAYS
    argued_words: int = Field(120, ge=0, description="words from which a text that names no source and no day in its "
                                                     "opening, and few figures, argues: it opens no thread; 0: not read so")
    column_labels: tuple[str, ...] = COLUMN_LABELS
    analysis_labels: tuple[str, ...] = ANALYSIS_LABELS


class ServerSettings(Frozen):
    host: str = "127.0.0.1"
    port: int | None = Field(None, ge=0, le=65535, description="/healthz and /metrics; unset: no server")
    stale_after: float = Field(120.0, gt=0, description="seconds without a heartbeat before /healthz says 503")
    reload_check: float = Field(2.0, gt=0, description="seconds between looks at config.toml for edits")
    public_url: str | None = Field(None, description="how WebSub hubs reach this server; unset: no push")

    @field_validator("public_url")
    @classmethod
    def _public_http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"public_url must start with http:// or https:// (got {value!r})")
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _push_needs_a_port(self) -> ServerSettings:
        if self.public_url and self.port is None:
            raise ValueError("public_url needs a port: hubs deliver pushes to this server")
        return self


class FeedConfig(Frozen):
    name: str = Field(min_length=1)
    url: str
    interval: int | None = Field(None, ge=30)
    kind: Literal["state", "opposition", "international", "un", "independent", "aggregator"] | None = None
    opinion: bool = False  # the feed carries commentary (columns, editorials): see [commentary]

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"feed url must start with http:// or https:// (got {value!r})")
        return value


Pattern = Annotated[str, Field(min_length=1)]
PLACES = ("headline", "lead", "body", "tail")
_RULE = re.compile(r"\s*([+~-])?\s*([^\s+~-]+)")


class Points(Frozen):
    """What one piece of evidence earns, by where in the story it holds.

    Each place counts once (a headline and a lead sentence both count); ``more`` is
    added for each further sentence where it holds, up to three.
    """

    headline: float = 0.0
    lead: float = 0.0
    body: float = 0.0
    tail: float = 0.0  # the story's last lines
    more: float = 0.0

    @model_validator(mode="before")
    @classmethod
    def _one_number_for_everywhere(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {place: value for place in PLACES}
        return value


@dataclass(frozen=True, slots=True)
class Rule:
    """An evidence expression read: ``attack ~ syria - threat``.

    All ``cues`` occur in one sentence; each of ``near`` within a few words of the first
    cue; none of ``absent`` in that sentence.
    """

    text: str
    cues: tuple[str, ...]
    near: tuple[str, ...]
    absent: tuple[str, ...]


def parse_rule(text: str) -> Rule:
    """``a + b`` same sentence, ``a ~ b`` within `near` words, ``a - b`` b not in the sentence."""
    cues: list[str] = []
    near: list[str] = []
    absent: list[str] = []
    position = 0
    for match in _RULE.finditer(text):
        if match.start() != position:
            break
        operator, cue = match.groups()
        if not cues and operator:
            raise ValueError(f"{text!r} must start with a cue name, not {operator!r}")
        if operator == "-":
            absent.append(cue)
        else:
            cues.append(cue)
            if operator == "~":
                near.append(cue)
        position = match.end()
    if position != len(text.rstrip()) or not cues:
        raise ValueError(f"cannot read {text!r}: write cue names joined by + (same sentence), "
                         "~ (a few words apart) or - (not in the sentence)")
    return Rule(" ".join(text.split()), tuple(cues), tuple(near), tuple(absent))


class TopicConfig(Frozen):
    label: str
    threshold: float = Field(gt=0, description="points a story needs to alert")
    lead: int = Field(2, ge=1, le=10, description="sentences after the headline that form the lead")
    tail: int = Field(2, ge=0, le=10, description="last sentences read as the story's closing lines")
    near: int = Field(8, ge=1, le=60, description="words allowed between cues joined by ~")
    open_margin: float | None = Field(None, ge=0, description="points above the threshold a story needs to open "
                                                              "a situation on this topic; default [alerts] open_margin")
    exclude: tuple[Pattern, ...] = ()
    cues: dict[str, tuple[Pattern, ...]] = Field(min_length=1)
    evidence: dict[str, Points] = Field(min_length=1)

    @model_validator(mode="after")
    def _rules_name_known_cues(self) -> TopicConfig:
        problems = []
        for text in self.evidence:
            rule = parse_rule(text)
            for cue in (*rule.cues, *rule.absent):
                if cue not in self.cues and cue != "start":
                    close = difflib.get_close_matches(cue, list(self.cues), n=1, cutoff=0.6)
                    problems.append(f"evidence {text!r}: unknown cue {cue!r}"
                                    + (f" (did you mean {close[0]!r}?)" if close else f" (cues: {', '.join(self.cues)})"))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def rules(self) -> tuple[tuple[Rule, Points], ...]:
        return tuple((parse_rule(text), points) for text, points in self.evidence.items())


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
    alerts: AlertSettings = AlertSettings()
    commentary: CommentarySettings = CommentarySettings()
    server: ServerSettings = ServerSettings()
    gazetteer: str = DEFAULT_GAZETTEER
    feeds: tuple[FeedConfig, ...] = ()
    topics: dict[str, TopicConfig] = Field(min_length=1)
    channels: tuple[ChannelConfig, ...] = ()


def config_path(path: str | None = None) -> Path:
    return Path(path or os.environ.get("BOT_CONFIG") or DEFAULT_CONFIG)


def db_path(config: Config) -> Path | str:
    """Where the store lives: $DATABASE_URL or [storage] url (PostgreSQL, several workers), else
    $BOT_DB or [storage] path (an SQLite file, one worker)."""
    url = os.environ.get("DATABASE_URL") or config.storage.url
    return url if url else Path(os.environ.get("BOT_DB") or config.storage.path)


def read_config(path: str | Path | None = None) -> tuple[Path, str]:
    path = config_path(str(path) if path else None)
    try:
        return path, path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError([f"{path}:{line}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); "
                           "save the file as UTF-8"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror or exc}"]) from None


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate; raise ConfigError listing every problem with its location."""
    return parse_config(*read_config(path))


def parse_config(path: Path, text: str) -> Config:
    syntax = toml_errors(text)
    if syntax:
        raise ConfigError([f"{path}:{line}: TOML syntax error: {message}" if line else
                           f"{path}: TOML syntax error: {message}" for line, message in syntax])
    raw = with_defaults(tomllib.loads(text), path)
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError([_describe(path, text, error) for error in exc.errors()]) from None


_AT = re.compile(r"\s*\(at line (\d+), column \d+\)|\s*\(at end of document\)")
_HINTS = {
    "Invalid statement": "a key must be a word, or in quotes",
    "Illegal character '\\n'": "a string is not closed on this line (a \" is missing)",
    "Unclosed array": "a [ list opened above is not closed with ]",
    "Invalid value": 'values are "quoted text", numbers, true/false or [lists]',
    "Cannot overwrite a value": "this key is set twice",
}


def toml_errors(text: str, limit: int = 10) -> list[tuple[int | None, str]]:
    """Every TOML syntax error, not only the first: each bad line is blanked and parsing retried."""
    lines = text.splitlines()
    found: list[tuple[int | None, str]] = []
    while len(found) < limit:
        try:
            tomllib.loads("\n".join(lines))
            break
        except tomllib.TOMLDecodeError as exc:
            match = _AT.search(str(exc))
            line = int(match.group(1)) if match and match.group(1) else None
            if match and not match.group(1):  # at end of document: point at the last written line
                line = max((n for n, row in enumerate(lines, start=1) if row.strip()), default=None)
            message = _AT.sub("", str(exc))
            found.append((line, _hint(message, lines[line - 1] if line and line <= len(lines) else "")))
            if line is None or line > len(lines) or message.startswith("Unclosed") or not lines[line - 1].strip():
                break  # what follows cannot be parsed with any confidence
            lines[line - 1] = ""
    return found


def _hint(message: str, line: str) -> str:
    key = line.split("=", 1)[0].strip()
    bare = re.search(r"[^\x00-\x7f\s,\[\]]+", re.sub(r'"[^"]*"', "", line))  # text outside quotes
    if message.startswith("Invalid statement") and key and not key.isascii() and key[0] not in "\"'[":
        hint = f"Arabic keys must be in quotes: \"{key}\" = ..."
    elif message.startswith("Invalid value") and bare:
        hint = f"Arabic terms must be in quotes: \"{bare.group()}\""
    else:
        hint = next((h for prefix, h in _HINTS.items() if message.startswith(prefix)), "")
    return message + (f" — {hint}" if hint else "") + (f" | {line.strip()[:80]}" if line.strip() else "")


def with_defaults(raw: dict, path: Path) -> dict:
    """Resolve the gazetteer path; a config without topics gets the shipped ones."""
    raw = dict(raw)
    if "topics" not in raw and path.resolve() != SHIPPED_CONFIG:
        raw["topics"] = tomllib.loads(SHIPPED_CONFIG.read_text(encoding="utf-8"))["topics"]
    gazetteer = raw.get("gazetteer", DEFAULT_GAZETTEER)
    if isinstance(gazetteer, str) and not Path(gazetteer).is_absolute():  # anything else: a schema error
        beside = path.parent / gazetteer
        raw["gazetteer"] = str(beside if beside.exists() else PROJECT_ROOT / gazetteer)
    return raw


def _describe(path: Path, text: str, error: dict) -> str:
    loc = tuple(error["loc"])
    line = locate(text, loc)
    rule = re.search(r"evidence '([^']+)'", error.get("msg", ""))
    if rule and line:  # a rule's problem: point at the rule's own line below its topic
        line = next((n for n, row in enumerate(text.splitlines()[line - 1 :], line)
                     if " ".join(row.split("=")[0].strip().strip('"').split()) == rule.group(1)), line)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {field_path(loc) or 'top level'}: {_message(error)}"


def field_path(loc: tuple) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")


def _message(error: dict) -> str:
    """pydantic's wording, made specific: what was found and what was expected."""
    kind, value, loc = error["type"], error.get("input"), error["loc"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), [n for n in _FIELD_NAMES if n != loc[-1]], n=1, cutoff=0.6)
        return f"unknown field {loc[-1]!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    message = error["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
    if kind.endswith("_parsing") or kind.endswith("_type"):
        expected = message.split(",")[0].replace("must be", "expected").replace("valid tuple", "list [...]")
        return f"{expected.replace('valid dictionary', 'table')}, got {value!r}"
    if isinstance(value, (str, int, float, bool)) and repr(value) not in message:
        return f"{message} (got {value!r})"
    return message


def _field_names(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(name)
        for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
            for inner in (arg, *getattr(arg, "__args__", ())):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    names |= _field_names(inner)
    return names


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


_FIELD_NAMES = sorted(_field_names(Config))
