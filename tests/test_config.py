import re
from pathlib import Path

import pytest

from classifiers.grouping import BROAD
from core.config import load_config, locate
from core.errors import ConfigError
from service.runtime import load_gazetteer, load_runtime
from tests.conftest import ROOT, bot_env, run_bot


def test_shipped_config_is_valid_and_has_the_default_topics():
    runtime = load_runtime(ROOT / "config.toml")
    assert set(runtime.config.topics) == {"security_council", "syria_escalation"}
    assert runtime.config.feeds and all(f.url.startswith("https://") for f in runtime.config.feeds)
    assert runtime.warnings == ()


def test_config_objects_are_immutable():
    config = load_config(ROOT / "config.toml")
    with pytest.raises(Exception):
        config.fetch.concurrency = 1  # type: ignore[misc]


def test_a_config_without_topics_gets_the_shipped_ones(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[[feeds]]\nname = "x"\nurl = "http://127.0.0.1:1/feed"\n', encoding="utf-8")
    assert set(load_runtime(path).config.topics) == {"security_council", "syria_escalation"}


def test_toml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[bot]\ntimezone = "Asia/Damascus"\n\n[[feeds]]\nname = "x\nurl = "http://a"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{path}:5: TOML syntax error" in str(caught.value)
    assert "string is not closed" in str(caught.value)


def test_schema_errors_name_field_and_line_all_at_once(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[fetch]\nconcurrency = 0\n\n[[feeds]]\nname = "ok"\nurl = "https://a.example/rss"\n\n'
        '[[feeds]]\nname = "bad"\nurl = "ftp://b.example/rss"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problems = caught.value.problems
    assert any("fetch.concurrency" in p and ":2:" in p for p in problems)
    assert any("feeds[1].url" in p and ":10:" in p and "http" in p for p in problems)


SHIPPED = (ROOT / "config.toml").read_text(encoding="utf-8")
THRESHOLD = re.search(r"^threshold = [\d.]+$", SHIPPED, re.M).group()  # the first topic's, whatever tune wrote
VETO = '"@unsc", "الفيتو",'  # in the Council's cue list
BROKEN_EDITS = {  # an operator's typical slips: (shipped text, edited text, what the message must say)
    "threshold as a word": (THRESHOLD, 'threshold = "high"',
                            "topics.security_council.threshold: expected a valid number, got 'high'"),
    "unquoted Arabic term": (VETO, '"@unsc", الفيتو,', 'Arabic terms must be in quotes: "الفيتو"'),
    "misspelt field": ("near = 6", "naer = 6", "unknown field 'naer' (did you mean 'near'?)"),
    "misspelt cue in evidence": ('"council ~ now" =', '"council ~ nwo" =',
                                 "evidence 'council ~ nwo': unknown cue 'nwo' (did you mean 'now'?)"),
    "url without scheme": ('url = "https://www.france24.com/ar/rss"', 'url = "www.france24.com/ar/rss"',
                           "feeds[3].url: feed url must start with http:// or https://"),
    "unclosed string": ('name = "سانا"', 'name = "سانا', "a string is not closed on this line"),
    "unknown entity": (VETO, '"@unsx", "الفيتو",', "'@unsx' names no entity"),
    "missing label": ('label = "مجلس الأمن الدولي"\n', "", "topics.security_council.label: required field is missing"),
    "a word for a list": ('topics = ["security_council"]', 'topics = "security_council"',
                          "channels[0].topics: expected a list [...], got 'security_council'"),
    "bad time zone": ('timezone = "Asia/Damascus"', 'timezone = "Asia/Damscus"', "unknown time zone 'Asia/Damscus'"),
}


@pytest.mark.parametrize("name", BROKEN_EDITS)
def test_each_broken_edit_gets_its_own_clear_message_with_the_line(tmp_path, name):
    shipped, edited, expected = BROKEN_EDITS[name]
    assert shipped in SHIPPED
    path = tmp_path / "c.toml"
    text = SHIPPED.replace(shipped, edited, 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_runtime(path)
    (problem,) = caught.value.problems
    assert expected in problem
    line = int(problem.split(":")[1])
    if name == "missing label":  # the table that lacks it
        assert text.splitlines()[line - 1] == "[topics.security_council]", problem
    else:  # the edited line
        assert line == next(n for n, (a, b) in enumerate(zip(text.splitlines(), SHIPPED.splitlines()), 1) if a != b)


def test_a_config_saved_in_windows_1256_is_named_as_such(tmp_path):
    path = tmp_path / "c.toml"
    path.write_bytes(SHIPPED.encode("cp1256", errors="replace"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    first_arabic = next(n for n, line in enumerate(SHIPPED.splitlines(), 1) if not line.isascii())
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}:{first_arabic}: not UTF-8 text") and problem.endswith("save the file as UTF-8")


def test_every_syntax_error_and_every_schema_error_at_once(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(SHIPPED.replace(VETO, '"@unsc", الفيتو,').replace('"رسالة", "رسالتين"', '"رسالة", رسالتين'),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_runtime(path)
    assert len(caught.value.problems) == 2 and all("Arabic terms" in p for p in caught.value.problems)
    path.write_text(SHIPPED.replace('timezone = "Asia/Damascus"', 'timezone = "Mars"')
                    .replace(VETO, '"@nobody", "الفيتو",').replace("concurrency = 50", "concurrency = 0"),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_runtime(path)
    assert [p.split(": ", 2)[1] for p in caught.value.problems] == [
        "bot.timezone", "fetch.concurrency", "topics.security_council"]


def test_warnings_for_unknown_channel_topics_duplicate_feeds_and_unmatchable_terms(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        SHIPPED.replace('topics = ["security_council"]', 'topics = ["weather"]')
        .replace(VETO, VETO + ' "ُ",')
        + '\n[[feeds]]\nname = "BBC again"\nurl = "https://feeds.bbci.co.uk/arabic/rss.xml"\n',
        encoding="utf-8")
    warnings = load_runtime(path).warnings
    assert len(warnings) == 3
    assert any("channels[0].topics: unknown topic 'weather'" in w for w in warnings)
    assert any("feeds[14].url" in w and "same url as 'بي بي سي عربي'" in w for w in warnings)
    assert any("can never match" in w for w in warnings)


def test_locate_finds_array_items_and_nested_keys():
    text = '[[feeds]]\nname = "a"\nurl = "x"\n\n[[feeds]]\nname = "b"\nurl = "y"\n\n[topics.t]\nthreshold = 1\n'
    assert locate(text, ("feeds", 1, "url")) == 7
    assert locate(text, ("feeds", 0, "name")) == 2
    assert locate(text, ("topics", "t", "threshold")) == 10


def test_check_config_command_exit_codes(tmp_path):
    env = bot_env(tmp_path)
    ok = run_bot("check-config", str(ROOT / "config.toml"), env=env)
    assert ok.returncode == 0, ok.stderr
    assert "OK" in ok.stdout
    broken = tmp_path / "broken.toml"
    broken.write_text("[bot]\ntimezone = 'Mars/Olympus'\n[fetch\n", encoding="utf-8")
    result = run_bot("check-config", str(broken), env=env)
    assert result.returncode == 2
    assert "broken.toml:3: TOML syntax error" in result.stderr
    missing = run_bot("check-config", str(tmp_path / "nope.toml"), env=env)
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_every_command_has_help(tmp_path):
    from bot import parser

    commands = parser()._subparsers._group_actions[0].choices  # noqa: SLF001
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, sub in commands.items():
        assert sub.format_help().strip()
        assert f"bot.py {name}" in readme, f"README does not document {name}"


def test_once_exits_2_on_config_error(tmp_path):
    broken: Path = tmp_path / "b.toml"
    broken.write_text("topics = 3\n", encoding="utf-8")
    result = run_bot("once", "--config", str(broken), "--dry-run", env=bot_env(tmp_path))
    assert result.returncode == 2
    assert "topics" in result.stderr


def test_the_escalation_sites_are_every_syrian_place_of_the_gazetteer():
    """`site` lists the gazetteer's places in Syria below the country by hand: a place added
    there and not here would let an inquiry into an attack on it read as an inquiry in general."""
    places = {f"@{e.id}" for e in load_gazetteer(ROOT / "classifiers" / "entities.toml").of_type("place_sy")
              if e.id not in BROAD}
    cues = load_config(ROOT / "config.toml").topics["syria_escalation"].cues
    assert set(cues["site"]) == places
