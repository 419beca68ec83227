"""Two outlets, two stories of one situation, at the same moment: one notification, both shown.
On PostgreSQL the two outlets are polled by two workers at once."""

import subprocess
import sys

import pytest

from devtools.fake_telegram import FakeTelegram
from devtools.feed_server import FeedServer, article_page, reply, rss
from tests.conftest import BACKENDS, ROOT, TOKEN, bot_env, real_article
from tests.test_situations import DOUMA_VOTE, MAY_ON_DOUMA

CHANNEL = '[[channels]]\nchat_id = "-1002"\ntopics = ["syria_escalation"]\n'


def serve(site: FeedServer) -> dict[str, str]:
    """Two outlets, each with one report: the Council vote on Douma, and Britain's words on it."""
    urls = {}
    for name, article_id in (("a", DOUMA_VOTE), ("b", MAY_ON_DOUMA)):
        row = real_article(article_id)
        feed = rss(f"{site.base}/{name}", [(article_id, row["title"])])
        site.routes[f"/{name}/feed.xml"] = lambda h, body=feed: reply(h, 200, body, "application/rss+xml")
        page = article_page(row["title"], row["text"])
        site.routes[f"/{name}/a/{article_id}.html"] = lambda h, body=page: reply(h, 200, body, "text/html; charset=utf-8")
        urls[name] = f"{site.base}/{name}/a/{article_id}.html"
    return urls


def config(path, site, names) -> str:
    path.write_text("[fetch]\nconnect_timeout = 2\nread_timeout = 3\ndeadline = 5\n\n"
                    + "".join(f'[[feeds]]\nname = "{n}"\nurl = "{site.base}/{n}/feed.xml"\n\n' for n in names)
                    + CHANNEL, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_situation_from_two_outlets_at_once_rings_once(backend, tmp_path, request):
    with FeedServer() as site, FakeTelegram() as telegram:
        urls = serve(site)
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=telegram.base_url, LOG_LEVEL="WARNING")
        if backend == "sqlite":
            runs = [[config(tmp_path / "c.toml", site, "ab")]]
        else:  # two workers on one database, each polling one of the outlets, at the same moment
            env["DATABASE_URL"] = request.getfixturevalue("pg_url")
            runs = [[config(tmp_path / f"{n}.toml", site, n)] for n in "ab"]
        workers = [subprocess.Popen([sys.executable, str(ROOT / "bot.py"), "once", "--config", path, "--max-wait", "75"],
                                    env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for path, in runs]
        outputs = [w.communicate(timeout=120) for w in workers]
        assert all(w.returncode == 0 for w in workers), outputs
        shown = "\n".join(telegram.shown("-1002").values())
        rang = [m for m in telegram.messages("-1002") if m.rings]
    assert len(rang) == 1, [m.params["text"][:80] for m in telegram.messages("-1002")]
    assert all(f'href="{url}"' in shown for url in urls.values())  # the second story joined the first one's message
