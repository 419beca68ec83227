from datetime import datetime, timezone

from alerts.limits import FloodLimiter
from alerts.message import FSI, PDI, TELEGRAM_LIMIT, local_time, render
from alerts.summary import sentences, summarize
from core.models import Alert, Source

BODY = (
    "قال مسؤولون إن مجلس الأمن عقد جلسة طارئة مساء الجمعة لبحث التصعيد في إدلب., "
    "وأضاف السفير أن الوضع خطير للغاية ويحتاج إلى وقف فوري لإطلاق النار. "
    "اقرأ أيضاً: أخبار متعلقة بالموضوع نفسه في صفحتنا\n"
    "وكانت الأمطار غزيرة في العاصمة خلال الأسبوع الماضي بحسب الأرصاد الجوية؟ "
    "ودعت فرنسا مجلس الأمن إلى التحرك العاجل لحماية المدنيين في شمال غرب سوريا؛ "
    "الأكثر قراءة"
)


def test_sentences_split_on_arabic_marks_and_drop_boilerplate():
    found = [s for _, s in sentences(BODY)]
    assert found[0].endswith("التصعيد في إدلب.")  # the ".," join is split, the full stop kept
    assert not any("اقرأ" in s or "الأكثر قراءة" in s for s in found)
    assert len(found) == 4


def test_summary_prefers_lead_and_term_dense_sentences_within_limit():
    dense = BODY.index("ودعت فرنسا")
    summary = summarize("عنوان", BODY, hit_offsets=[dense + 5, dense + 10, dense + 20])
    assert summary.startswith("قال مسؤولون") and "ودعت فرنسا" in summary
    assert "الأمطار" not in summary
    assert len(summary) <= 450


PAGE = (
    "غارات جوية روسية تستهدف ريف إدلب الجنوبي\n"
    "دبي، الإمارات العربية المتحدة (CNN)-- غارات جوية روسية تستهدف ريف إدلب الجنوبي.\n"
    "شنت الطائرات الحربية الروسية عشرات الغارات على بلدات معرة النعمان وكفرنبل فجر الأحد، ما أسفر عن مقتل 12 مدنياً بينهم ثلاثة أطفال.\n"
    "الحرب السورية: من يقاتل من؟\n"
    "شاهد: لحظة سقوط صاروخ على سوق شعبي في معرة النعمان\n"
    "وقال الدفاع المدني إن فرقه انتشلت الضحايا من تحت الأنقاض وإن عدد القتلى مرشح للارتفاع.\n"
    "بيروت (رويترز) - وذكر المرصد السوري أن القصف هو الأعنف منذ توقيع اتفاق خفض التصعيد قبل أشهر.\n"
)


def test_a_summary_adds_to_the_headline_and_holds_only_sentences_of_the_story():
    summary = summarize("غارات جوية روسية تستهدف ريف إدلب الجنوبي", PAGE)
    assert summary.startswith("شنت الطائرات")  # not the headline again, nor its dateline
    assert "12 مدنياً" in summary and "الدفاع المدني" in summary
    for line in ("من يقاتل من", "شاهد", "CNN", "رويترز"):
        assert line not in summary, line  # a subhead, a video caption, agency datelines
    assert "وذكر المرصد السوري" in summary or len(summary) > 300


def test_a_story_that_is_only_its_headline_still_gets_a_line():
    assert summarize("مجلس الأمن يمدد ولاية البعثة", "مجلس الأمن يمدد ولاية البعثة في جنوب السودان لعام.")


def test_summary_never_cuts_a_word():
    long = "كلمة " * 200
    summary = summarize("", long, limit=100)
    assert len(summary) <= 100 and summary.endswith("…") and summary[:-1].split()[-1] == "كلمة"


def alert(**changes):
    base = dict(story_id="s", topics=("security_council", "syria_escalation"), title="جلسة <طارئة> & UN",
                url="https://example.org/a?x=1&y=2", source="BBC", summary="ملخص قصير 2254",
                published=datetime(2026, 11, 22, 12, 5, tzinfo=timezone.utc),
                sources=(Source("BBC", "https://example.org/a?x=1&y=2", "t"), Source("RT", "https://rt/b", "t")),
                chat_ids=("-1",), lang="ar", tags=("مجلس الأمن", "إدلب"))
    base.update(changes)
    return Alert(**base)


def test_message_escapes_html_and_isolates_latin_runs():
    text = render(alert(), {"security_council": "مجلس الأمن"}, "Asia/Damascus")
    assert "&lt;طارئة&gt; &amp;" in text and "<b>" in text
    assert f"{FSI}UN" in text and f"{FSI}2254" in text
    assert 'href="https://example.org/a?x=1&amp;y=2"' in text
    assert "#مجلس_الأمن #إدلب" in text and "أيضاً:" in text and "RT" in text
    assert "15:05" in text  # Damascus is UTC+3


def test_message_fits_telegram_by_shortening_only_the_summary():
    text = render(alert(summary="كلمة " * 2000), {}, "UTC")
    assert len(text) <= TELEGRAM_LIMIT
    assert "#مجلس_الأمن" in text and "اقرأ الخبر كاملاً" in text and "كلمة…" in text


def test_local_time_uses_arabic_month_names():
    assert local_time(datetime(2026, 3, 1, 0, 0, tzinfo=timezone.utc), "Asia/Damascus") == "1 آذار/مارس 2026، 03:00"


def test_flood_limiter_windows():
    limiter = FloodLimiter()
    for i in range(20):
        assert limiter.ready_at("@chan", 100.0 + i) == 100.0 + i
        limiter.record("@chan", 100.0 + i)
    assert limiter.ready_at("@chan", 120.0) == 161.0  # the 21st waits for the first to leave the window
    limiter.record("42", 200.0)
    assert limiter.ready_at("42", 200.5) > 201.0  # private chats: about one a second
    restored = FloodLimiter([("@chan", 100.0 + i) for i in range(20)])
    assert restored.ready_at("@chan", 120.0) == 161.0  # history from the store survives restarts


def test_markers_for_both_topics_and_for_a_burst_of_outlets():
    one = alert(topics=("security_council",), sources=(Source("BBC", "https://example.org/a?x=1&y=2", "t"),))
    assert render(one, {}, "UTC").startswith("🟠") and "⚡" not in render(one, {}, "UTC")
    many = alert(sources=tuple(Source(f"S{n}", f"https://s{n}/", "t") for n in range(4)))
    text = render(many, {}, "UTC")
    assert text.startswith("🔴") and f"⚡ تتناقله {FSI}4{PDI} مصادر" in text
