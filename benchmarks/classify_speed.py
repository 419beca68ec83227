"""Throughput of `bot.py classify` end to end (language gate included) and its start-up time.

    python benchmarks/classify_speed.py [--articles 3000] [--terms 2000] [--repeat 3] [--synthetic]

By default the texts are the project's real labelled articles (tests/fixtures/real/,
~1,850 characters on average), cycled to the count asked: what the worker reads. With
--synthetic they are ~3,000-character texts cut from the seed articles, which name the
Council and Syrian places in nearly every sentence: a worst case for the matcher. The
extra terms are synthetic words added to a cue of a copy of the shipped config.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "real"


def real(count: int) -> list[dict]:
    rows = [json.loads(line) for path in sorted(REAL.glob("classifier_*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]
    return [{"id": n, "title": rows[n % len(rows)]["title"], "text": rows[n % len(rows)]["text"]} for n in range(count)]


def synthetic(count: int) -> list[dict]:
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
    words = " ".join(f'"كلمة{n} اختبار{n}",' for n in range(extra))
    path = directory / "bench.toml"
    path.write_text(shipped.replace("[topics.security_council.cues]\n", f"[topics.security_council.cues]\nextra = [{words}]\n")
                    .replace('gazetteer = "', f'gazetteer = "{ROOT}/'), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--terms", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs; each starts a fresh process (cold caches)")
    parser.add_argument("--synthetic", action="store_true", help="dense texts cut from the seed articles")
    args = parser.parse_args()
    rows = synthetic(args.articles) if args.synthetic else real(args.articles)
    chars = sum(len(r["text"]) for r in rows) / len(rows)
    stdin = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    with tempfile.TemporaryDirectory() as tmp:
        config = config_with_terms(args.terms, Path(tmp))
        command = [sys.executable, str(ROOT / "bot.py"), "classify", "--config", str(config)]
        startups, runs = [], []
        for _ in range(args.repeat):  # a shared VM's neighbours add noise: report the best and the median
            started = time.perf_counter()
            subprocess.run(command, input="", capture_output=True, text=True, check=True)
            startups.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)
            runs.append(time.perf_counter() - started)
    lines = len(result.stdout.splitlines())
    kind = "synthetic dense" if args.synthetic else "real"
    startup = min(startups)
    print(f"start-up with {args.terms} extra terms: {startup:.2f} s (process start to exit, no input; best of {args.repeat})")
    for name, elapsed in (("best", min(runs)), ("median", statistics.median(runs))):
        print(f"classify, {name} of {args.repeat}: {lines} {kind} articles of ~{chars:,.0f} chars in {elapsed:.2f} s = "
              f"{lines / elapsed:.0f} articles/s ({lines / max(elapsed - startup, 1e-9):.0f}/s excluding start-up), one core")

if __name__ == "__main__":
    main()
