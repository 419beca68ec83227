"""bot.py backtest: a day of real articles replayed on their own clock, and a live `once` on the
same day sending the same messages."""

import html
import json
import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from devtools.fake_telegram import FakeTelegram
from devtools.feed_server import FeedServer, article_page, reply, rss
from tests.conftest import TOKEN, bot_env, real_days, run_bot

CHANNELS = ('[[channels]]\nchat_id = "@security_council"\ntopics = ["security_council"]\n\n'
            '[[channels]]\nchat_id = "@syria_escalation"\ntopics = ["syria_escalation"]\n')


def douma_day(count: int = 24) -> list[dict]:
    """The first alerting hours of 10 April 2018 (the response to Douma), and the day's look-alikes."""
    day = [r for r in real_days().values() if r["published"].startswith("2018-04-10") and r.get("story")]
    return sorted(day, key=lambda r: r["published"])[:count]


def as_lines(rows: list[dict], url=lambda r: r["url"], shift=timedelta(0)) -> str:
    return "".join(json.dumps({"id": r["id"], "title": r["title"], "text": r["text"], "source": r["outlet"],
                               "url": url(r), "published": (datetime.fromisoformat(r["published"]) + shift).isoformat()},
                              ensure_ascii=False) + "\n" for r in rows)


def test_backtest_prints_every_action_and_a_summary(tmp_path):
    rows = douma_day()
    day = tmp_path / "day.jsonl"
    day.write_text(as_lines(rows), encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(CHANNELS, encoding="utf-8")
    result = run_bot("backtest", str(day), "--config", str(config), "--json", env=bot_env(tmp_path))
    assert result.returncode == 0, result.stderr
    *actions, summary = [json.loads(line) for line in result.stdout.splitlines()]
    assert actions and set(summary) == {"summary"}
    keys = {"time", "chat_id", "action", "notify", "story_id", "situation_id", "ids"}
    assert all(keys <= set(a) and a["action"] in ("send", "edit") for a in actions)
    assert all(not a["notify"] for a in actions if a["action"] == "edit")
    escalation = summary["summary"]["@syria_escalation"]
    rings = defaultdict(int)
    for a in actions:
        rings[(a["chat_id"], a["situation_id"])] += a["notify"]
    assert escalation["notifications"] == sum(n for (chat, _), n in rings.items() if chat == "@syria_escalation")
    assert escalation["notifications_per_situation"]["max"] <= 2  # the budget: a first ring and one development
    assert escalation["notifications"] < escalation["articles_shown"] / 2  # a developing day rings a few times
    text = run_bot("backtest", str(day), "--config", str(config), env=bot_env(tmp_path)).stdout
    assert "== @syria_escalation:" in text and "🔔" in text and "notifications per situation" in text


def test_backtest_names_and_skips_a_line_that_is_not_an_article(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "title": "t"}\n', encoding="utf-8")
    result = run_bot("backtest", str(bad), env=bot_env(tmp_path))
    assert result.returncode == 1 and "bad.jsonl:1: not an article line (no 'published')" in result.stderr
    assert "no article to replay" in result.stderr
    # one bad line among good ones costs that line alone; Unix seconds are a time too
    text = "قصفت طائرات حربية ريف إدلب اليوم وقتل خمسة مدنيين بحسب الدفاع المدني."
    good = [{"id": "iso", "title": "غارات على إدلب", "text": text, "source": "A", "published": "2015-08-07 10:00:00"},
            {"id": "unix", "title": "غارات على إدلب", "text": text, "source": "B", "published": 1438941700}]
    mixed = tmp_path / "mixed.jsonl"
    windows = json.dumps({**good[0], "id": "cp1256"}, ensure_ascii=False).encode("windows-1256")
    mixed.write_bytes(b"\n".join([json.dumps(good[0]).encode(), b"not json", b'{"id": "x", "published": "yesterday"}',
                                  windows, json.dumps(good[1]).encode()]) + b"\n")
    result = run_bot("backtest", str(mixed), "--json", env=bot_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert all(f"mixed.jsonl:{n}: not an article line" in result.stderr for n in (2, 3))
    assert "mixed.jsonl:4: not UTF-8 text" in result.stderr and "3 lines skipped, 2 articles replayed" in result.stderr
    shown = {i for line in result.stdout.splitlines()[:-1] for i in json.loads(line)["ids"]}
    assert shown == {"iso", "unix"}


def shown_ids(text: str, ids_by_url: dict[str, str]) -> frozenset[str]:
    return frozenset(ids_by_url[u] for u in map(html.unescape, re.findall(r'href="([^"]+)"', text)) if u in ids_by_url)


def test_a_live_once_sends_what_the_backtest_replays(tmp_path):
    rows = douma_day(16)
    last = datetime.fromisoformat(rows[-1]["published"])
    shift = datetime.now(timezone.utc) - timedelta(minutes=5) - last  # the day, ending five minutes ago
    with FeedServer() as site, FakeTelegram() as telegram:
        base = f"{site.base}/day"
        items = [(r["id"], r["title"], datetime.fromisoformat(r["published"]) + shift) for r in reversed(rows)]
        feed = rss(base, items)
        site.routes["/day/feed.xml"] = lambda h: reply(h, 200, feed, "application/rss+xml")
        for r in rows:
            site.routes[f"/day/a/{r['id']}.html"] = \
                lambda h, page=article_page(r["title"], r["text"]): reply(h, 200, page, "text/html; charset=utf-8")
        url = lambda r: f"{base}/a/{r['id']}.html"  # noqa: E731
        config = tmp_path / "c.toml"
        config.write_text(f'[fetch]\nbacklog_hours = 48\n\n[[feeds]]\nname = "day"\nurl = "{base}/feed.xml"\n\n'
                          + CHANNELS, encoding="utf-8")
        day = tmp_path / "day.jsonl"
        day.write_text(as_lines(rows, url, shift), encoding="utf-8")
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.base_url)
        live = run_bot("once", "--config", str(config), env=env)
        assert live.returncode == 0, live.stderr
        replay = run_bot("backtest", str(day), "--config", str(config), "--json", env=bot_env(tmp_path))
        assert replay.returncode == 0, replay.stderr

    ids_by_url = {url(r): r["id"] for r in rows}
    *actions, _ = [json.loads(line) for line in replay.stdout.splitlines()]
    for chat in ("@security_council", "@syria_escalation"):
        replayed: dict[str, tuple[bool, frozenset]] = {}
        for a in (a for a in actions if a["chat_id"] == chat):
            notify = replayed[a["message"]][0] if a["message"] in replayed else a["notify"]
            replayed[a["message"]] = (notify, frozenset(a["ids"]))
        rang = {m.message_id for m in telegram.messages(chat) if m.rings}
        sent = {m: (m in rang, shown_ids(text, ids_by_url)) for m, text in telegram.shown(chat).items()}
        assert sorted(sent.values(), key=repr) == sorted(replayed.values(), key=repr), chat
        assert sent and any(notify for notify, _ in sent.values())


def test_a_digest_channel_receives_its_digest_when_the_period_ends_on_the_articles_clock(tmp_path):
    rows = douma_day(8)
    day = tmp_path / "day.jsonl"
    day.write_text(as_lines(rows), encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text('[[channels]]\nchat_id = "@hourly"\ntopics = ["syria_escalation"]\nmode = "hourly"\n',
                      encoding="utf-8")
    result = run_bot("backtest", str(day), "--config", str(config), "--json", env=bot_env(tmp_path))
    assert result.returncode == 0, result.stderr
    *actions, _ = [json.loads(line) for line in result.stdout.splitlines()]
    digests = [a for a in actions if a["message"].startswith("digest:hourly:")]
    first = min(datetime.fromisoformat(r["published"]) for r in rows)
    assert digests and all(a["action"] == "send" for a in digests)
    sent = datetime.fromisoformat(digests[0]["time"])
    # the first hour's digest goes once that hour has ended, on the day replayed, not when the replay runs
    assert first.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1) <= sent < first + timedelta(days=1)
