"""Offline demo: serve the bundled fixture feeds on 127.0.0.1 and run one cycle over them.

    python -m devtools.demo            # console output, a throwaway database
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from devtools.feed_server import FeedServer

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "tests" / "fixtures" / "site"
FEEDS = [("أخبار الأمم المتحدة", "feeds/un-news.xml", "un"), ("عنب بلدي", "feeds/enab-baladi.atom", "opposition"),
         ("فرانس 24", "feeds/france24.xml", "international"), ("سوريا اليوم", "feeds/syria-cp1256.xml", "independent")]


def main() -> int:
    with FeedServer(SITE) as server, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "demo.toml"
        lines = []
        for name, path, kind in FEEDS:
            lines += ["[[feeds]]", f'name = "{name}"', f'url = "{server.url(path)}"', f'kind = "{kind}"', ""]
        lines += ['[[channels]]', 'chat_id = "@un_council_watch"', 'topics = ["security_council"]', "",
                  '[[channels]]', 'chat_id = "@syria_escalation_watch"', 'topics = ["syria_escalation"]']
        config.write_text("\n".join(lines), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
        env["BOT_DB"] = str(Path(tmp) / "demo.sqlite3")
        print(f"Serving {len(FEEDS)} fixture feeds at {server.base}; running one cycle (no Telegram).\n",
              file=sys.stderr)
        return subprocess.call([sys.executable, str(ROOT / "bot.py"), "once", "--config", str(config), "--dry-run"],
                               env=env, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
