from pathlib import Path

import pytest

from core.config import load_config, locate
from core.errors import ConfigError
from core.runtime import load_runtime
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
    assert "line 5" in str(caught.value)


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


def test_channel_with_unknown_topic_and_unknown_entity_are_errors(tmp_path):
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(shipped.replace('topics = ["security_council"]', 'topics = ["weather"]'), encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown topic 'weather'"):
        load_config(path)
    path.write_text(shipped.replace('"@pedersen" = 1.0', '"@nobody" = 1.0'), encoding="utf-8")
    with pytest.raises(ConfigError, match="@nobody"):
        load_runtime(path)


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
    assert "line 3" in result.stderr and "broken.toml" in result.stderr
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
