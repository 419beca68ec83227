"""Throughput of `bot.py classify` end to end (language gate included) and its start-up time.

    python benchmarks/classify_speed.py [--articles 3000] [--terms 2000]

Texts are ~3,000-character Arabic articles built from the seed articles (or the
fixtures); the extra terms are synthetic words added to a copy of the shipped config.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus(count: int) -> list[dict]:
    sources = sorted((ROOT.parent / "shared" / "seeds").glob("*.txt")) or sorted(
        (ROOT / "tests" / "fixtures" / "site" / "articles").glob("*.html"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sources]
    rows = []
    for n in range(count):
        text = texts[n % len(texts)]
        body = (text * (3000 // max(len(text), 1) + 1))[n % 500 : n % 500 + 3000]
        rows.append({"id": n, "title": body[:80], "text": body})
    return rows


def config_with_terms(extra: int, directory: Path) -> Path:
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8")
    words = "\n".join(f'"كلمة{n} اختبار{n}" = 0.5' for n in range(extra))
    path = directory / "bench.toml"
    path.write_text(shipped.replace("[topics.security_council.terms]\n", f"[topics.security_council.terms]\n{words}\n"),
                    encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--terms", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = config_with_terms(args.terms, Path(tmp))
        command = [sys.executable, str(ROOT / "bot.py"), "classify", "--config", str(config)]
        started = time.perf_counter()
        subprocess.run(command, input="", capture_output=True, text=True, check=True)
        startup = time.perf_counter() - started
        stdin = "\n".join(json.dumps(r, ensure_ascii=False) for r in corpus(args.articles))
        started = time.perf_counter()
        result = subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - started
    lines = len(result.stdout.splitlines())
    print(f"start-up with {args.terms} extra terms: {startup:.2f} s (process start to exit, no input)")
    print(f"classify: {lines} articles of ~3000 chars in {elapsed:.2f} s = {lines / elapsed:.0f} articles/s "
          f"({lines / max(elapsed - startup, 1e-9):.0f}/s excluding start-up), one core")


if __name__ == "__main__":
    main()
