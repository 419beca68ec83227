"""Three workers on one PostgreSQL database, against the loopback feeds and Bot API: each
polls its share, one is killed with SIGKILL, and every alert still goes out once."""

import html
import json
import signal
import time

from devtools.fake_telegram import FakeTelegram
from devtools.feed_server import FeedServer, article_page, reply, rss
from store import Store
from tests.conftest import FIXTURES, TOKEN, bot_env, run_bot
from tests.test_worker import start, wait_for

FEEDS = 24
INTERVAL = 30  # each feed's pinned interval: two polls of one feed closer than this are a double poll
LIVE, LEASE, LEADER = 20, 30, 20  # service/membership.py: a silent worker's feeds move after LIVE, a held feed
# after LEASE; the lead after LEADER


def relevant_articles(count: int) -> list[dict]:
    rows = [json.loads(line) for line in (FIXTURES / "real" / "classifier_dev.jsonl").read_text("utf-8").splitlines()]
    return [r for r in rows if r["labels"]["security_council"] and len(r["text"]) > 600][:count]


def serve_feeds(site: FeedServer) -> tuple[list[str], str]:
    """FEEDS feeds, each with an article of its own and one report every outlet carries (rewritten
    agency copy: same text, each outlet's own address)."""
    articles = relevant_articles(FEEDS + 1)
    shared = articles[-1]
    for n in range(FEEDS):
        base = f"{site.base}/o{n}"
        items = [(f"own{n}", articles[n]["title"]), ("shared", shared["title"])]
        site.routes[f"/o{n}/feed.xml"] = lambda h, body=rss(base, items): reply(h, 200, body, "application/rss+xml")
        for guid, article in (("own", articles[n]), ("shared", shared)):
            page = article_page(article["title"], article["text"])
            site.routes[f"/o{n}/a/{guid}{n if guid == 'own' else ''}.html"] = \
                lambda h, body=page: reply(h, 200, body, "text/html; charset=utf-8")
    return [f"/o{n}/feed.xml" for n in range(FEEDS)], shared["title"]


def headline(message: str) -> str:
    return html.unescape(message.split("<b>", 1)[1].split("</b>", 1)[0])


def test_three_workers_share_the_feeds_and_survive_a_kill(tmp_path, pg_url):
    with FeedServer() as site, FakeTelegram(enforce_limits=True) as telegram:
        paths, shared_title = serve_feeds(site)
        config = tmp_path / "c.toml"
        config.write_text("[fetch]\nconnect_timeout = 2\nread_timeout = 3\ndeadline = 5\n\n"
                          + "".join(f'[[feeds]]\nname = "o{n}"\nurl = "{site.base}{path}"\ninterval = {INTERVAL}\n\n'
                                    for n, path in enumerate(paths))
                          + '[[channels]]\nchat_id = "-1001"\ntopics = ["security_council"]\n', encoding="utf-8")
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.base_url, DATABASE_URL=pg_url,
                      LOG_LEVEL="WARNING")
        workers = [start(config, env) for _ in range(3)]
        try:
            assert wait_for(lambda: len(site.polls("feed.xml")) == FEEDS, 60), "not every feed was polled"
            workers[0].send_signal(signal.SIGKILL)  # mid-cycle: its pages may be half read
            killed = time.time()
            workers[0].wait(timeout=10)
            # every feed, the dead worker's too, is polled again within the interval plus the handover
            assert wait_for(lambda: all(max(t) > killed for t in site.polls("feed.xml").values()),
                            INTERVAL + LIVE + LEASE + 15)
            store = Store(pg_url)
            assert wait_for(lambda: store.pending_count() == 0 and store.outbox_counts().get("sent"), 60)
            listed = json.loads(run_bot("stats", "--config", str(config), "--json", env=env).stdout)["workers"]
        finally:
            for worker in workers[1:]:
                worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=20)[0] for worker in workers[1:]]

    assert all(worker.returncode == 0 for worker in workers[1:]), outputs
    for path, times in site.polls("feed.xml").items():  # never two workers on one feed within its interval
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert not gaps or min(gaps) >= INTERVAL - 1, (path, gaps)
    rows = store._db.rows("SELECT chat_id, text FROM outbox WHERE status = 'sent'")  # noqa: SLF001
    sent = [(str(m.params["chat_id"]), headline(m.params["text"])) for m in telegram.messages()]
    assert {(r["chat_id"], headline(r["text"])) for r in rows} == set(sent)  # every alert delivered
    assert len(sent) <= len(rows) + 1  # at most the one in flight at the kill is repeated
    assert [text for _, text in sent].count(shared_title) == 1  # 24 outlets, one event: one alert (then edits)
    assert {w["id"] for w in listed} and len(listed) == 2  # the dead worker is gone from the list
    assert sum(w["leader"] for w in listed) == 1
    store.close()


def test_one_worker_answers_commands_and_another_takes_over_when_it_stops(tmp_path, pg_url):
    """Telegram serves one getUpdates long poll per bot and ends any other with 409 Conflict:
    the leader alone answers commands and the desk's buttons; when it stops, the next leader does."""
    with FakeTelegram() as telegram:
        config = tmp_path / "c.toml"
        config.write_text('[[channels]]\nchat_id = "-1001"\ntopics = ["security_council"]\n', encoding="utf-8")
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.base_url, DATABASE_URL=pg_url,
                      LOG_LEVEL="WARNING")
        workers = [start(config, env) for _ in range(2)]
        try:
            telegram.command(501, "/help")
            assert wait_for(lambda: telegram.messages("501"), 30), "nobody answered /help"
            time.sleep(2)  # a second poller would have answered by now, or been refused
            assert len(telegram.messages("501")) == 1 and telegram.conflicts == 0
            leader = json.loads(run_bot("stats", "--config", str(config), "--json", env=env).stdout)["workers"]
            pid = next(w["pid"] for w in leader if w["leader"])
            stopped = next(w for w in workers if w.pid == pid)
            stopped.send_signal(signal.SIGTERM)
            stopped.wait(timeout=20)
            telegram.command(502, "/help")
            assert wait_for(lambda: telegram.messages("502"), LEADER + 30), "the next leader does not answer"
            time.sleep(2)
            assert len(telegram.messages("502")) == 1 and telegram.conflicts == 0
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=20)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
