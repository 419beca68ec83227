"""How the alert summaries read on real articles: do they repeat the headline, do they carry
lines that are not sentences of the story?

    python benchmarks/summary_quality.py [--articles 200]

Articles are real ones on either topic (tests/fixtures/real/), summarised as the worker
does (the matched terms' offsets included). Printed: how many summaries open with a
sentence that restates the headline (content-word overlap above 0.8, either way), and how many hold
a line that is not prose: a subhead or related-story link (a short line that does not
end a sentence), an agency dateline, a «شاهد» video caption.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alerts.summary import summarize  # noqa: E402
from classifiers.normalize import content_words  # noqa: E402
from classifiers.topics import classify  # noqa: E402
from service.runtime import load_runtime  # noqa: E402

CAPTION = re.compile(r"^\s*(?:شاهد|بالفيديو|فيديو|بالصور|اقرأ|إقرأ)")
DATELINE = re.compile(r"\((?:CNN|رويترز|أ ف ب|ا ف ب|فرانس برس|الأناضول|سانا|د ب أ|AFP|Reuters)[^)]*\)\s*[-–—:]", re.I)


def overlap(sentence: str, headline: str) -> float:
    """Content-word overlap, the stricter of its two readings: the share of the sentence the
    headline already says, or the share of the headline the sentence repeats."""
    x, y = set(content_words(sentence)), set(content_words(headline))
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def non_prose(summary: str, text: str) -> list[str]:
    """Summary sentences that come from a line of the text that is not prose."""
    found = []
    for line in (line.strip() for line in text.splitlines()):
        if len(line.split()) < 2 or line not in summary and line.rstrip(".") not in summary:
            continue
        short = len(line.split()) < 8 and line[-1] not in ".!؟?…"
        if short or CAPTION.search(line):
            found.append(line)
    if DATELINE.search(summary):
        found.append(DATELINE.search(summary).group())
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    classifier = load_runtime(ROOT / "config.toml").classifier
    rows = [json.loads(line) for name in ("classifier_dev.jsonl", "days_dev.jsonl")
            for line in (ROOT / "tests" / "fixtures" / "real" / name).read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["labels"]["security_council"] or r["labels"]["syria_escalation"]][: args.articles]
    restating, unprose = [], []
    for row in rows:
        result = classify(classifier, row["title"], row["text"], "ar")
        offsets = [h.start for t in result.topics.values() for h in t.hits if not h.in_title]
        summary = summarize(row["title"], row["text"], offsets)
        first = re.split(r"(?<=[.!؟?])\s", summary, maxsplit=1)[0]
        if overlap(first, row["title"]) > 0.8:
            restating.append((row["title"], first))
        lines = non_prose(summary, row["text"])
        if lines:
            unprose.append((row["title"], lines))
    print(f"{len(rows)} real articles on a topic:")
    print(f"  first summary sentence restates the headline: {len(restating)} ({len(restating) / len(rows):.0%})")
    print(f"  summaries with a line that is not prose: {len(unprose)} ({len(unprose) / len(rows):.0%})")
    for title, first in restating[:5]:
        print(f"    restates: {title[:50]} | {first[:80]}")
    for title, lines in unprose[:5]:
        print(f"    not prose: {title[:50]} | {' / '.join(l[:40] for l in lines)}")


if __name__ == "__main__":
    main()
