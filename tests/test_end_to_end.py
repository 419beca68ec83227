"""bot.py as a user runs it, against loopback feed and Bot API servers."""

import json

from tests.conftest import SITE, TOKEN, bot_env, run_bot


def expected():
    return json.loads((SITE / "expected.json").read_text(encoding="utf-8"))


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_once_dry_run_alerts_relevant_stories_only_and_never_twice(tmp_path, site, site_config):
    out = tmp_path / "alerts.jsonl"
    env = bot_env(tmp_path)
    first = run_bot("once", "--config", str(site_config), "--dry-run", "--alerts-jsonl", str(out), env=env)
    assert first.returncode == 0, first.stderr
    assert "Console mode (--dry-run)" in first.stderr
    alerts = read_jsonl(out)
    want = expected()
    by_url = {}
    for alert in alerts:
        for source in alert["sources"]:
            by_url[source["url"]] = alert
    for path, topics in want["alerts"].items():
        alert = by_url.get(site.url(path))
        assert alert, f"no alert for {path}"
        assert sorted(alert["topics"]) == sorted(topics), path
        assert alert["summary"] and alert["lang"] == "ar" and alert["published"]
    for path in want["silent"]:
        assert site.url(path) not in by_url, f"{path} should stay silent"
    for group in want.get("same_story", []):
        ids = {by_url[site.url(path)]["story_id"] for path in group}
        assert len(ids) == 1, f"{group} should be one story"
    stories = {a["story_id"] for a in alerts}
    assert len(stories) == len(want["alerts"]) - sum(len(g) - 1 for g in want.get("same_story", []))
    assert "تنبيه" in first.stdout  # the console sink printed the alerts

    second = run_bot("once", "--config", str(site_config), "--dry-run", "--alerts-jsonl", str(out), env=env)
    assert second.returncode == 0, second.stderr
    assert read_jsonl(out) == alerts
    assert "0 new entries" in second.stderr


def test_windows_1256_article_reads_as_arabic(tmp_path, site, site_config):
    out = tmp_path / "alerts.jsonl"
    run_bot("once", "--config", str(site_config), "--dry-run", "--alerts-jsonl", str(out), env=bot_env(tmp_path))
    cp1256 = [a for a in read_jsonl(out) if any("cp1256" in s["url"] for s in a["sources"])]
    assert cp1256, "the windows-1256 story did not alert"
    assert "\ufffd" not in cp1256[0]["summary"] and "إدلب" in cp1256[0]["summary"] + cp1256[0]["title"]


def test_once_delivers_to_subscribed_chats_through_the_bot_api(tmp_path, site_config, telegram):
    env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.base_url)
    out = tmp_path / "alerts.jsonl"
    result = run_bot("once", "--config", str(site_config), "--alerts-jsonl", str(out), env=env)
    assert result.returncode == 0, result.stderr
    alerts = read_jsonl(out)
    sent = telegram.messages()
    assert alerts and sent
    for alert in alerts:
        assert ("-1001" in alert["chat_ids"]) == ("security_council" in alert["topics"])
        assert ("-1002" in alert["chat_ids"]) == ("syria_escalation" in alert["topics"])
        for chat in alert["chat_ids"]:  # every outlet of every story is in a message of the chat
            shown = "\n".join(telegram.shown(chat).values())
            assert all(f'href="{s["url"]}"' in shown for s in alert["sources"]), (chat, alert["title"])
    for chat in ("-1001", "-1002"):  # one ring per situation, led by its first story
        situations = {a["situation_id"]: a for a in alerts if chat in a["chat_ids"]}
        rang = [m for m in telegram.messages(chat) if m.rings]
        assert len(rang) == len(situations)
    assert all(m.params["parse_mode"] == "HTML" and "<b>" in m.params["text"] for m in sent)
    assert TOKEN not in result.stdout + result.stderr

    again = run_bot("once", "--config", str(site_config), env=env)
    assert again.returncode == 0 and len(telegram.messages()) == len(sent)


def test_classify_reads_and_writes_json_lines(tmp_path):
    lines = [
        {"id": "a", "title": "مجلس الأمن يعقد جلسة طارئة بشأن سوريا",
         "text": "عقد مجلس الأمن الدولي جلسة طارئة لمناقشة التصعيد العسكري في إدلب وقصف المدنيين."},
        {"id": 7, "title": "المنتخب السوري يفوز", "text": "فاز المنتخب السوري لكرة القدم في مباراة ودية."},
        {"id": "en", "title": "Weather", "text": "Sunny skies are expected over London this weekend."},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n"
    result = run_bot("classify", env=bot_env(tmp_path), stdin=stdin)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows[:3]] == ["a", 7, "en"] and "error" in rows[3]
    first = rows[0]["topics"]
    assert set(first) == {"security_council", "syria_escalation"}
    assert first["security_council"]["alert"] and first["syria_escalation"]["alert"]
    assert "مجلس الأمن" in first["security_council"]["matched"]
    assert isinstance(first["security_council"]["score"], float)
    assert not any(t["alert"] for t in rows[1]["topics"].values())
    assert rows[2]["lang"] == "en" and rows[0]["lang"] == "ar"


EXPLAIN_TOPICS = """
[topics.syria_escalation]
label = "تصعيد"
threshold = 4
[topics.syria_escalation.cues]
attack = ["قصف*", "غارات"]
syria = ["@type:place_sy"]
sport = ["مباراة"]
[topics.syria_escalation.evidence]
"attack ~ syria" = { headline = 3, lead = 2, body = 1 }
"sport" = -1.5

[topics.security_council]
label = "مجلس الأمن"
threshold = 5
[topics.security_council.cues]
council = ["@unsc"]
[topics.security_council.evidence]
"council" = { headline = 4, lead = 3, body = 1 }
"""


def test_explain_shows_evidence_where_it_stands_and_why_not(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(EXPLAIN_TOPICS, encoding="utf-8")
    page = tmp_path / "story.txt"
    page.write_text("غارات على ريف إدلب\nقصفت طائرات حربية بلدات في جبل الزاوية وقتل ثلاثة مدنيين. "
                    "وقال مندوب روسيا في مجلس الأمن إن الوضع خطير. وذلك قبل مباراة المنتخب.", encoding="utf-8")
    result = run_bot("explain", "--config", str(config), str(page), env=bot_env(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "syria_escalation: score 3.5 / threshold 4" in out and "no alert" in out  # 3 + 2 - 1.5
    assert "attack ~ syria" in out and "headline, lead" in out and "【جبل الزاوية】" in out
    assert "-1.50" in out and "sport" in out and "【مباراة】" in out  # what counted against, and where
    assert "security_council: score 3 / threshold 5" in out  # the Council only in the lead's second sentence...
    assert "why not: score 3 is below the threshold 5 (2 short)" in out  # ...and it says why it stays silent
