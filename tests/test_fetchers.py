import asyncio
import gzip

import pytest

from core.config import FeedConfig, FetchSettings
from core.errors import FeedParseError, FetchHTTPStatus, FetchNetwork, FetchRefused, FetchTimeout, FetchTooLarge
from devtools.feed_server import FeedServer, reply, slow, static
from fetchers.feeds import parse_feed, poll_feed
from fetchers.http import PAGE_TYPES, Fetcher
from fetchers.identity import canonical_url, entry_identity
from fetchers.pages import HEADLINE_CHARS, extract, telling_headline, without_headline
from store import FeedState

SETTINGS = FetchSettings(connect_timeout=1, read_timeout=1, deadline=2, max_bytes=200_000, max_redirects=3)
RSS = """<?xml version="1.0" encoding="{enc}"?>
<rss version="2.0"><channel><title>قناة</title>
<item><title>غارات على إدلب</title><link>{base}/a.html?utm_source=x</link><guid>id-1</guid>
<pubDate>Sat, 21 Nov 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;قصف عنيف&lt;/p&gt;</description></item>
<item><title>بلا معرف</title><link>{base}/b.html#top</link></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>جلسة لمجلس الأمن</title><id>urn:1</id><link href="http://h/x"/><updated>2026-11-21T10:00:00Z</updated>
<summary>نص</summary></entry></feed>"""
FEED = FeedConfig(name="t", url="http://127.0.0.1:9/feed")


def run(coro):
    return asyncio.run(coro)


async def fetch(url: str, **kwargs):
    fetcher = Fetcher(SETTINGS)
    kwargs.setdefault("trusted", url)  # as the operator's own feed would be
    try:
        return await fetcher.get(url, **kwargs)
    finally:
        await fetcher.aclose()


def test_rss_and_atom_entries_with_identity_and_plain_text():
    entries = parse_feed(FEED, RSS.format(enc="utf-8", base="http://h").encode(), {}, "http://h/feed")
    assert entries[0].entry_id.endswith("id-1") and entries[1].entry_id == "http://h/b.html"
    assert entries[0].summary == "قصف عنيف" and entries[0].url == "http://h/a.html"
    atom = parse_feed(FEED, ATOM.encode(), {}, "http://h/feed")
    assert atom[0].title == "جلسة لمجلس الأمن" and atom[0].published.year == 2026


@pytest.mark.parametrize("encoding", ["windows-1256", "iso-8859-6"])
def test_declared_arabic_codepages_decode_without_a_charset_header(encoding):
    body = RSS.format(enc=encoding, base="http://h").replace("<description>&lt;p&gt;قصف عنيف&lt;/p&gt;</description>", "")
    entries = parse_feed(FEED, body.encode(encoding), {"content-type": "application/rss+xml"}, "http://h/f")
    assert entries[0].title == "غارات على إدلب"


def test_utf8_bom_and_mislabelled_charset_header():
    body = b"\xef\xbb\xbf" + RSS.format(enc="utf-8", base="http://h").encode()
    assert parse_feed(FEED, body, {}, "http://h/f")[0].title == "غارات على إدلب"
    cp = RSS.format(enc="windows-1256", base="http://h").encode("windows-1256", errors="ignore")
    wrong = parse_feed(FEED, cp, {"content-type": "application/xml; charset=windows-1256"}, "http://h/f")
    assert wrong[0].title == "غارات على إدلب"


def test_windows_1256_page_extracts_as_arabic():
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1256'></head><body>"
            "<article><h1>غارات على إدلب</h1><p>" + "قصفت طائرات حربية مدينة معرة النعمان في ريف إدلب. " * 5 +
            "</p></article></body></html>").encode("windows-1256")
    assert "معرة النعمان" in extract(page, "http://h/a").text


def test_the_pages_own_headline_is_not_read_as_the_lead():
    lead = "قصفت طائرات حربية مدينة معرة النعمان في ريف إدلب صباح اليوم. "
    page = (f"<html><head><title>غارات على إدلب | الموقع</title></head><body><article><h1>غارات على إدلب</h1>"
            f"<p>{lead * 4}</p><p>{'وقال مصدر طبي إن الحصيلة مرشحة للارتفاع. ' * 4}</p></article></body></html>")
    extracted = extract(page.encode(), "http://h/a")
    assert extracted.text.startswith("قصفت طائرات"), extracted.text[:40]
    assert without_headline("عنوان آخر للخبر\n" + lead, "عنوان آخر للخبر") == lead
    assert without_headline("سطر أول من الخبر نفسه.\n" + lead, "عنوان آخر") == "سطر أول من الخبر نفسه.\n" + lead


def test_a_bare_dateline_is_no_headline_the_first_sentence_tells_what_happened():
    # real agency copy of 2013 (Egyptian outlets): the item's title is its dateline
    text = "نيويورك - أ ش أ\nخفف مجلس الأمن الدولي الحظر المفروض على الأسلحة إلى الصومال لمدة عام. وقال المندوب"
    assert telling_headline("نيويورك - أ ش أ", text) == "خفف مجلس الأمن الدولي الحظر المفروض على الأسلحة إلى الصومال لمدة عام"
    assert telling_headline("دمشق _أ.ش.أ", "يسمع سكان دمشق أصوات انفجارات عنيفة. ويرجح") == "يسمع سكان دمشق أصوات انفجارات عنيفة"
    assert telling_headline("القاهرة (رويترز)", "القاهرة (رويترز) - قال مسؤول إن الجيش تقدم اليوم.") == \
        "قال مسؤول إن الجيش تقدم اليوم"
    assert telling_headline("", "أعلن الجيش السوري سيطرته على بلدة في ريف حماة.") == "أعلن الجيش السوري سيطرته على بلدة في ريف حماة"
    long = telling_headline("", "قال " + "مسؤول كبير " * 80 + ".")
    assert len(long) <= HEADLINE_CHARS + 1 and long.endswith("…")
    # a headline that says something stays, agency tag or not
    assert telling_headline("مقتل 5 في غارة على إدلب (أ ف ب)", text) == "مقتل 5 في غارة على إدلب (أ ف ب)"
    assert telling_headline("ثلاثة إنفجارات تهز حي برزة بدمشق", "دمشق _أ ش أ\nأفادت") == "ثلاثة إنفجارات تهز حي برزة بدمشق"
    assert telling_headline("دمشق _أ.ش.أ", "قصف.") == "دمشق _أ.ش.أ"  # nothing better to say


def test_junk_is_a_named_parse_error():
    with pytest.raises(FeedParseError):
        parse_feed(FEED, b"<html><body>not a feed</body></html>", {"content-type": "text/html"}, "http://h/f")
    with pytest.raises(FeedParseError):
        parse_feed(FEED, b"\x00\x01 {{ garbage", {}, "http://h/f")
    truncated = parse_feed(FEED, RSS.format(enc="utf-8", base="http://h").encode()[:-40], {}, "http://h/f")
    assert truncated[0].title == "غارات على إدلب"  # a bozo feed with entries is still read


def test_canonical_urls_and_fallback_identity():
    assert canonical_url("HTTP://Example.ORG:80/a?utm_medium=x&id=3#frag") == "http://example.org/a?id=3"
    assert entry_identity(None, None, "عنوان", "2026") == entry_identity("", "", "عنوان", "2026")
    assert entry_identity(None, None, "عنوان", "2026").startswith("hash:")


def test_conditional_get_and_unchanged_body():
    with FeedServer() as server:
        body = RSS.format(enc="utf-8", base=server.base).encode()
        server.routes["/feed"] = lambda h: (
            reply(h, 304, b"", None) if h.headers.get("If-None-Match") == '"v1"'
            else reply(h, 200, body, "application/rss+xml", {"ETag": '"v1"'}))
        server.routes["/plain"] = static(body, "application/rss+xml")
        feed = FeedConfig(name="t", url=server.url("feed"))

        async def go():
            fetcher = Fetcher(SETTINGS)
            first = await poll_feed(fetcher, feed, FeedState(url=feed.url, name="t"))
            second = await poll_feed(fetcher, feed, FeedState(url=feed.url, name="t", etag=first.etag))
            plain = FeedConfig(name="p", url=server.url("plain"))
            third = await poll_feed(fetcher, plain, FeedState(url=plain.url, name="p"))
            fourth = await poll_feed(fetcher, plain, FeedState(url=plain.url, name="p", content_hash=third.content_hash))
            await fetcher.aclose()
            return first, second, third, fourth

        first, second, third, fourth = run(go())
        assert first.changed and len(first.entries) == 2 and first.etag == '"v1"'
        assert not second.changed and server.requests[1][1]["if-none-match"] == '"v1"'
        assert third.changed and not fourth.changed


def test_failures_are_named():
    big = b"x" * 300_000
    bomb = gzip.compress(b"<rss>" + b" " * 5_000_000)
    with FeedServer() as server:
        server.routes["/hang"] = slow(5, static(b"late", "text/xml"))
        server.routes["/big"] = static(big, "application/rss+xml")
        server.routes["/bomb"] = static(bomb, "application/rss+xml", headers={"Content-Encoding": "gzip"})
        server.routes["/loop"] = static(b"", "text/plain", 302, {"Location": "/loop2"})
        server.routes["/loop2"] = static(b"", "text/plain", 302, {"Location": "/loop"})
        server.routes["/err"] = static(b"oops", "text/plain", 503, {"Retry-After": "7"})
        server.routes["/pdf"] = static(b"%PDF", "application/pdf")
        for path, error in [("hang", FetchTimeout), ("big", FetchTooLarge), ("bomb", FetchTooLarge),
                            ("loop", FetchNetwork), ("err", FetchHTTPStatus)]:
            with pytest.raises(error) as caught:
                run(fetch(server.url(path)))
            assert server.base in caught.value.url
        with pytest.raises(FetchHTTPStatus) as caught:
            run(fetch(server.url("err")))
        assert caught.value.transient and caught.value.retry_after == 7
        with pytest.raises(FetchRefused):
            run(fetch(server.url("pdf"), accept=PAGE_TYPES))
        with pytest.raises(FetchRefused):
            run(fetch("file:///etc/passwd"))
        with pytest.raises(FetchNetwork):
            run(fetch("http://127.0.0.1:9/closed"))


def test_links_to_private_addresses_are_refused_unless_on_the_feeds_own_host():
    with FeedServer() as server:
        server.routes["/page"] = static("<html><body><p>نص</p></body></html>".encode(), "text/html")
        server.routes["/secret"] = static(b"internal", "text/html")
        server.routes["/jump"] = static(b"", "text/plain", 302, {"Location": server.url("secret").replace("127.0.0.1", "localhost")})
        port = server.base.rsplit(":", 1)[1]
        feed_url = server.url("feed")
        assert run(fetch(server.url("page"), trusted=feed_url)).status == 200  # same host as the feed
        for link in [f"http://localhost:{port}/secret", f"http://127.0.0.2:{port}/secret", "http://10.1.2.3/x",
                     "http://169.254.169.254/latest/meta-data", "http://[::1]:9/x", "http://2130706433/x",
                     server.url("jump")]:
            with pytest.raises(FetchRefused) as caught:
                run(fetch(link, trusted=feed_url if "jump" in link else "http://news.example/feed"))
            assert "non-public address" in caught.value.reason, link
        assert not [path for path, *_ in server.requests if path == "/secret"]
