"""The classifier's commands: `classify`, `explain`, `check-config`, `tune`, `suggest`."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from core.config import config_path
from core.errors import ConfigError
from service.cli import console, in_loop, load
from service.labelled import labelled_for, read_rows
from service.runtime import load_runtime


def classify(args: argparse.Namespace) -> int:
    from classifiers.language import detect_language
    from classifiers.topics import classify

    runtime = load(args.config)
    out = sys.stdout
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            title, text = str(item.get("title") or ""), str(item.get("text") or "")
        except (json.JSONDecodeError, AttributeError) as exc:
            out.write(json.dumps({"id": None, "line": number, "error": f"invalid JSON line: {exc}"}) + "\n")
            continue
        result = classify(runtime.classifier, title, text, detect_language(f"{title}\n{text}"), detail=False)
        topics = {
            name: {"score": score.score, "alert": score.alert, "matched": score.matched}
            for name, score in result.topics.items()
        }
        out.write(json.dumps({"id": item.get("id"), "lang": result.lang, "topics": topics}, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def explain(args: argparse.Namespace) -> int:
    from classifiers.explain import explain_text
    from fetchers.targets import read_target

    runtime = load(args.config)
    try:
        title, text, origin = in_loop(read_target(args.target, runtime.config.fetch))
    except (OSError, ValueError) as exc:
        print(f"explain: cannot read {args.target}: {exc}", file=sys.stderr)
        return 1
    console().print(*explain_text(runtime.classifier, title, text, origin))
    return 0


def check_config(args: argparse.Namespace) -> int:
    path = config_path(args.path)
    try:
        runtime = load_runtime(path)
    except ConfigError as exc:
        print(f"{path}: {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    for warning in runtime.warnings:
        print(f"warning: {warning}")
    config = runtime.config
    print(f"{path}: OK ({len(config.feeds)} feeds, {len(config.topics)} topics, {len(config.channels)} channels, "
          f"{runtime.classifier.lexicon.size} patterns)")
    return 0


def _labelled_articles(command: str, files: list[str]) -> list[dict] | None:
    try:
        return [row for file in files for row in read_rows(Path(file))]
    except (OSError, ValueError) as exc:
        print(f"{command}: cannot read labelled articles: {exc}", file=sys.stderr)
        return None


def _chosen_topics(command: str, wanted: list[str] | None, topics: dict) -> list[str] | None:
    for name in wanted or ():
        if name not in topics:
            print(f"{command}: unknown topic {name!r} (topics: {', '.join(topics)})", file=sys.stderr)
            return None
    return wanted or list(topics)


def suggest(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from classifiers.suggest import CUE, suggest
    from classifiers.topics import build_classifier
    from classifiers.tuning import points_toml
    from service.runtime import load_gazetteer

    runtime = load(args.config)
    articles = _labelled_articles("suggest", args.files)
    names = _chosen_topics("suggest", args.topic, runtime.config.topics)
    if articles is None or names is None:
        return 1 if articles is None else 2
    gazetteer = load_gazetteer(runtime.config.gazetteer)

    def rebuild(topics):  # noqa: ANN001, ANN202
        return build_classifier(topics, gazetteer, runtime.config.bot.languages, runtime.config.commentary)

    for name in names:
        labelled = [labelled_for(a, name) for a in articles if name in a.get("labels", {})]
        if not labelled:
            print(f"suggest: {name}: no article is labelled for it", file=sys.stderr)
            continue
        today, found = suggest(runtime.classifier, rebuild, name, labelled, top=args.top)
        if args.json:
            print(json.dumps({"topic": name, "today": asdict(today), "suggestions": [
                {**asdict(s), "points": s.points.model_dump(exclude_defaults=True)} for s in found]},
                ensure_ascii=False))
            continue
        print(f"# {name}: {today.articles} labelled articles, {today.on_topic} on the topic; today {today.alerts} "
              f"alerts, precision {today.precision:.3f}, recall {today.recall:.3f}")
        if not found:
            print("# no word moves more of these articles the right way than the wrong way\n")
        for n, s in enumerate(found, 1):
            print(f"# {n}. «{s.term}»: right alerts +{s.right_gained} -{s.right_lost}, wrong alerts "
                  f"+{s.wrong_gained} -{s.wrong_lost} -> precision {s.precision:.3f}, recall {s.recall:.3f}")
            print(f"#   [topics.{name}.cues] {CUE}_{n} = [\"{s.term}\"]")
            print(f"#   [topics.{name}.evidence] \"{s.rule.replace(CUE, f'{CUE}_{n}')}\" = {points_toml(s.points)}")
        print()
    return 0


def tune(args: argparse.Namespace) -> int:
    from classifiers.tuning import points_toml, tune
    from service.config_edit import apply_proposal

    if not args.files and not args.from_store:
        print("tune: give labelled FILE... or --from-store (or both)", file=sys.stderr)
        return 2
    runtime = load(args.config)
    path = config_path(args.config)
    articles = _labelled_articles("tune", args.files)
    names = _chosen_topics("tune", args.topic, runtime.config.topics)
    if articles is None or names is None:
        return 1 if articles is None else 2
    weighed = [(a, 1.0) for a in articles]
    if args.from_store:  # the desk's own marks, weighing more (service/feedback.py)
        from service.feedback import desk_articles

        weighed += desk_articles(runtime.config)
    text = path.read_text(encoding="utf-8")
    for name in names:
        if args.write and not re.search(rf"^\s*\[topics\.{re.escape(name)}\.evidence\]", text, re.MULTILINE):
            print(f"tune: {path} has no [topics.{name}] of its own (it uses the shipped topics): copy them "
                  "into it to tune them there", file=sys.stderr)
            return 2
        chosen = [(a, weight) for a, weight in weighed if name in a.get("labels", {})]
        labelled = [labelled_for(a, name) for a, _ in chosen]
        if not any(label for *_, label in labelled) or all(label for *_, label in labelled):
            print(f"tune: {name}: needs articles labelled both ways", file=sys.stderr)
            return 1
        proposal = tune(runtime.classifier, name, labelled, precision=args.precision, counts=[w for _, w in chosen])
        desk = [weight for a, weight in chosen if a.get("desk")]
        counting = f", each counting {desk[0]:g}" if desk else ""
        print(f"# {name}: {len(labelled)} articles ({len(desk)} marked by the desk{counting}), "
              f"{sum(label for *_, label in labelled)} on the topic")
        print(f"# expected on unseen articles (5-fold): precision {proposal.expected.precision:.3f}, "
              f"recall {proposal.expected.recall:.3f}; on these articles: precision {proposal.fitted.precision:.3f}, "
              f"recall {proposal.fitted.recall:.3f}")
        print(f"[topics.{name}]\nthreshold = {proposal.threshold:g}\n\n[topics.{name}.evidence]")
        for rule, points in proposal.points.items():
            print(f'"{rule}" = {points_toml(points)}')
        print()
        text = apply_proposal(text, proposal)
    if args.write:
        path.write_text(text, encoding="utf-8")
        print(f"written to {path}; check it with: python bot.py check-config {path}")
    return 0
