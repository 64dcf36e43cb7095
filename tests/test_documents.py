"""Reading .txt, .md and .html articles."""

from __future__ import annotations

import pytest

from service.clean import clean
from service.documents import html_to_text, markdown_to_text, read_article
from service.errors import InvalidInput

PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour</title>
<script>var tracking = "do not keep me";</script><style>p { color: red }</style></head>
<body><nav><ul><li>Home</li><li>World</li><li>Sign in</li></ul></nav>
<article><h1>Harbour strike ends</h1><time>March 3, 2024</time>
<p>Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer.
<p>Operators said traffic would be back to normal by Friday, according to the port authority.</p>
<figure><img src="x.jpg" alt="Cranes"><figcaption>Cranes stood idle. Photo: ANP</figcaption></figure>
<h2>Ships diverted to Antwerp</h2><div>The strike forced several shipping lines to divert vessels to Antwerp and Hamburg.</div>
<iframe src="https://ads.example.com"></iframe><form><button>Subscribe</button></form>
</article><footer>&copy; 2024 Example News</footer></body></html>"""


def test_html_to_text_keeps_blocks_as_lines_and_drops_scripts():
    text = html_to_text(PAGE)
    assert "tracking" not in text and "color: red" not in text and "Subscribe" not in text
    assert text.splitlines()[:5] == ["Home", "World", "Sign in", "Harbour strike ends", "March 3, 2024"]


def test_an_html_page_cleans_into_the_article():
    article = clean(html_to_text(PAGE))
    assert article.title == "Harbour strike ends"
    assert article.date == "March 3, 2024"
    assert article.headings == ["Ships diverted to Antwerp"]
    assert article.paragraphs == [
        "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer.",
        "Operators said traffic would be back to normal by Friday, according to the port authority.",
        "The strike forced several shipping lines to divert vessels to Antwerp and Hamburg.",
    ]


def test_markdown_syntax_is_stripped():
    markdown = "# Harbour strike ends\n\n![Cranes](x.jpg)\n\nDock **workers** ended the [strike](https://x.example).\n\n- one point\n"
    assert markdown_to_text(markdown) == "Harbour strike ends\n\n\n\nDock workers ended the strike.\n\none point\n"


@pytest.mark.parametrize("name, content, text", [
    ("a.txt", "Hello world.\n".encode(), "Hello world.\n"),
    ("a.md", "# Title\n\nHello *world*.\n".encode(), "Title\n\nHello world.\n"),
    ("a.html", b"<p>Hello</p><p>world.</p>", "Hello\nworld."),
    ("bom.txt", "\ufeffHello.".encode("utf-8"), "Hello."),
], ids=["txt", "md", "html", "utf8-bom"])
def test_read_article_by_suffix(tmp_path, name, content, text):
    path = tmp_path / name
    path.write_bytes(content)
    assert read_article(path) == text


def test_unknown_suffix_and_bad_encoding_say_what_to_do(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(InvalidInput, match=r"^a\.pdf: newsdesk reads \.txt, \.md, \.markdown, \.html, \.htm files; save the article as one of those$"):
        read_article(tmp_path / "a.pdf")
    (tmp_path / "latin.txt").write_bytes("Stra\xdfe".encode("latin-1"))
    with pytest.raises(InvalidInput, match="^latin.txt is not UTF-8 text: save it as UTF-8 and try again$"):
        read_article(tmp_path / "latin.txt")
