"""The Telegram message (HTML parse mode) for an alert, in Arabic."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from core.models import Alert

TELEGRAM_LIMIT = 4096
BURST = 3  # outlets carrying one story that mark it as breaking
MONTHS = ("كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل", "أيار/مايو", "حزيران/يونيو",
          "تموز/يوليو", "آب/أغسطس", "أيلول/سبتمبر", "تشرين الأول/أكتوبر", "تشرين الثاني/نوفمبر",
          "كانون الأول/ديسمبر")
KIND_LABELS = {"state": "إعلام رسمي", "opposition": "إعلام معارض", "international": "إعلام دولي",
               "un": "الأمم المتحدة", "independent": "إعلام مستقل", "aggregator": "مجمّع أخبار"}
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: Latin runs keep their place in RTL text
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,:/%&+\-_]*[A-Za-z0-9%]|[A-Za-z0-9]")


def isolate_latin(text: str) -> str:
    return _LATIN_RUN.sub(lambda m: f"{FSI}{m.group()}{PDI}", text)


def local_time(moment: datetime, zone: str) -> str:
    """«22 تشرين الثاني/نوفمبر 2026، 14:05» in the configured time zone."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}، {local:%H:%M}"


def _esc(text: str) -> str:
    return html.escape(isolate_latin(text), quote=False)


def render(alert: Alert, labels: Mapping[str, str], zone: str, kinds: Mapping[str, str | None] | None = None) -> str:
    """HTML for Telegram; the summary is shortened (never a tag or the link) to fit 4096 chars."""
    kinds = kinds or {}
    marker = "🔴" if len(alert.topics) > 1 else "🟠"  # red: both topics at once
    topic_line = " · ".join(labels.get(t, t) for t in alert.topics)
    if len(alert.sources) >= BURST:  # many outlets at once is how breaking news shows itself
        topic_line += f" · ⚡ تتناقله {len(alert.sources)} مصادر"
    kind = KIND_LABELS.get(kinds.get(alert.source) or "", "")
    outlet = f"{alert.source} ({kind})" if kind else alert.source
    head = [
        f"{marker} <b>{_esc(alert.title)}</b>",
        f"<i>{_esc(topic_line)}</i>",
        f"📰 {_esc(outlet)} — {_esc(local_time(alert.published, zone))}",
    ]
    others = [s for s in alert.sources if s.url != alert.url]
    tail = []
    if others:
        links = "، ".join(f'<a href="{html.escape(s.url)}">{_esc(s.source)}</a>' for s in others)
        tail.append(f"أيضاً: {links}")
    if alert.tags:
        tail.append(" ".join("#" + re.sub(r"[^\w]+", "_", t).strip("_") for t in alert.tags))
    tail.append(f'<a href="{html.escape(alert.url)}">اقرأ الخبر كاملاً</a>')

    def assemble(summary: str) -> str:
        return "\n".join([*head, "", _esc(summary), "", *tail]) if summary else "\n".join([*head, "", *tail])

    message = assemble(alert.summary)
    summary = alert.summary
    while len(message) > TELEGRAM_LIMIT and summary:
        words = summary.split()
        summary = " ".join(words[: max(0, len(words) * 3 // 4)])
        message = assemble(summary + "…" if summary else "")
    return message


def visible_length(text: str) -> int:
    """What Telegram counts against its 4,096 limit: the text once tags are parsed, in UTF-16 units."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return len(plain.encode("utf-16-le")) // 2


def _outlets(alert: Alert) -> str:
    return "، ".join(f'<a href="{html.escape(s.url)}">{_esc(s.source)}</a>' for s in alert.sources)


def development_line(alert: Alert, zone: str) -> str:
    """One later story of a situation: its time, its headline and every outlet that carries it."""
    local = alert.published.astimezone(ZoneInfo(zone))
    return f"• {_esc(f'{local:%H:%M}')} <b>{_esc(alert.title)}</b> — {_outlets(alert)}"


def render_thread(alerts: Sequence[Alert], labels: Mapping[str, str], zone: str,
                  kinds: Mapping[str, str | None] | None = None, *, part: int = 0, notify: bool = True,
                  situation_title: str = "") -> str:
    """A message of a situation's thread: its first story in full (the alert), the later ones as
    «تطورات» lines. A ringing later message says which situation it develops; a silent
    continuation shows only lines."""
    head, later = (alerts[0], alerts[1:]) if notify else (None, alerts)
    blocks = []
    if part and situation_title:
        mark = "🔁 تطوّر في" if notify else "↩️ تابع"
        blocks.append(f"<i>{mark}: {_esc(situation_title)}</i>")
    if head is not None:
        blocks.append(render(head, labels, zone, kinds))
    if later:
        blocks.append("\n".join(["🔄 <b>تطورات:</b>", *(development_line(a, zone) for a in later)]))
    return "\n\n".join(blocks)
