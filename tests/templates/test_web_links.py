"""The web view's `linked` filter (templates/pages.py): text stays text, escaped, and only
its http and https addresses become links, with rel="noopener noreferrer"."""

import pytest

from templates.pages import _env


def linked(text: str) -> str:
    return _env.from_string("{{ text | linked }}").render(text=text)


def link(address: str, shown: str | None = None) -> str:
    return f'<a href="{address}" rel="noopener noreferrer">{shown or address}</a>'


@pytest.mark.parametrize(
    "text, html",
    [
        ("https://wiki.example.com/support-replies", link("https://wiki.example.com/support-replies")),
        ("http://wiki.example.com", link("http://wiki.example.com")),
        ("HTTPS://Wiki.Example.com/A", link("HTTPS://Wiki.Example.com/A")),
        # Text with an address in it links just the address, sentence punctuation outside.
        (
            "Read https://wiki.example.com/ai-101, then shadow.",
            f"Read {link('https://wiki.example.com/ai-101')}, then shadow.",
        ),
        ("(see https://x.example/a)", f"(see {link('https://x.example/a')})"),
        ("https://x.example/wiki/A_(b).", f"{link('https://x.example/wiki/A_(b)')}."),
        (
            "one https://a.example and http://b.example",
            f"one {link('https://a.example')} and {link('http://b.example')}",
        ),
        # Everything is escaped, the address in the link too.
        (
            "https://x.example/?a=1&b=2",
            link("https://x.example/?a=1&amp;b=2"),
        ),
        (
            '<b>https://x.example/"onmouseover="alert(1)</b>',
            f"&lt;b&gt;{link('https://x.example/')}&#34;onmouseover=&#34;alert(1)&lt;/b&gt;",
        ),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        # Other schemes, and what only looks like an address, never link.
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("javascript:http://x.example/", "javascript:http://x.example/"),
        ("JaVaScRiPt://x.example%0aalert(1)", "JaVaScRiPt://x.example%0aalert(1)"),
        ("data:text/html,<b>x</b>", "data:text/html,&lt;b&gt;x&lt;/b&gt;"),
        ("ftp://x.example/file", "ftp://x.example/file"),
        ("mailto:someone@x.example", "mailto:someone@x.example"),
        ("nothttp://x.example", "nothttp://x.example"),
        ("http://", "http://"),
        ("https://[not-a-host", "https://[not-a-host"),
        ("Shadow the origin team for one week", "Shadow the origin team for one week"),
    ],
)
def test_only_http_addresses_link_and_all_text_is_escaped(text, html):
    assert linked(text) == html


def test_the_kit_links_its_runbook_training_and_checks():
    kit = dict(
        runbook="https://wiki.example.com/runbook",
        training=["https://wiki.example.com/ai-101", "Shadow the origin team, notes at http://notes.example/x."],
        checks=["Draft 10 tickets <b>first</b>", "javascript:alert(1)"],
        requires=["Refund policy v3"],
    )
    html = _env.from_string('{% from "web/_kit.html" import kit_list %}{{ kit_list(kit) }}').render(kit=kit)
    assert f"<li>Runbook: {link('https://wiki.example.com/runbook')}</li>" in html
    assert f"<li>Training: {link('https://wiki.example.com/ai-101')}</li>" in html
    assert f"<li>Training: Shadow the origin team, notes at {link('http://notes.example/x')}.</li>" in html
    assert "<li>Check: Draft 10 tickets &lt;b&gt;first&lt;/b&gt;</li>" in html
    assert "<li>Check: javascript:alert(1)</li>" in html
    assert html.count("<a ") == 3
