"""Write tuned points into config.toml's text, leaving every comment and other line as it was."""

from __future__ import annotations

import re

from classifiers.tuning import Proposal, points_toml


def apply_proposal(text: str, proposal: Proposal) -> str:
    """``text`` with the topic's threshold and each evidence line's points replaced."""
    lines = text.splitlines(keepends=True)
    table = ""
    for index, line in enumerate(lines):
        header = re.match(r"\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if header:
            table = header.group(1).strip()
            continue
        if table == f"topics.{proposal.topic}" and re.match(r"\s*threshold\s*=", line):
            lines[index] = _replace_value(line, f"{proposal.threshold:g}")
        elif table == f"topics.{proposal.topic}.evidence":
            key = re.match(r'\s*"([^"]+)"\s*=', line)
            if key and " ".join(key.group(1).split()) in proposal.points:
                lines[index] = _replace_value(line, points_toml(proposal.points[" ".join(key.group(1).split())]))
    return "".join(lines)


def _replace_value(line: str, value: str) -> str:
    """Keep the key and any trailing comment; only an inline table or number is replaced."""
    key, _, rest = line.partition("=")
    comment = re.search(r"(\s+#.*)$", rest.rstrip("\n")) if "}" not in rest or rest.rfind("#") > rest.rfind("}") else None
    ending = "\n" if line.endswith("\n") else ""
    return f"{key.rstrip()} = {value}{comment.group(1) if comment else ''}{ending}"
