"""Reading .txt, .md and .html articles."""

from __future__ import annotations

import socket

import pytest

from service.stages.clean import Removed, clean
from service.stages.documents import (Document, Reading, html_article_text, html_to_text, markdown_to_text, read_article,
                                read_document, read_page)
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


def test_html_to_text_keeps_the_article_and_drops_scripts_and_navigation():
    text = html_to_text(PAGE)
    assert "tracking" not in text and "color: red" not in text and "Subscribe" not in text
    assert text.split("\n") == [
        "Harbour strike ends",
        "2024-03-03",
        "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer.",
        "Operators said traffic would be back to normal by Friday, according to the port authority.",
        "Cranes stood idle.",
        "Photo: ANP",
        "Ships diverted to Antwerp",
        "The strike forced several shipping lines to divert vessels to Antwerp and Hamburg.",
    ]


def test_issue13_the_page_lines_outside_the_article_are_kept_aside():
    page = news_page(paragraphs(LEAD, SECOND, THIRD, FOURTH))
    assert read_page(page) == Document(html_to_text(page), left_out=(
        "Harbour Times", "Home", "World", "Business", "Sign in", "Related stories", "Ferry fares rise again this summer",
        "New crane arrives at the container terminal", "© 2024 Harbour Times. All rights reserved.", "Privacy", "Terms"),
        main_content=True)
    assert read_document("story.html", page) == read_page(page)
    # The page's date is in the article in ISO form, so its own spelling is listed too.
    assert read_page(PAGE).left_out == ("Home", "World", "Sign in", "March 3, 2024", "© 2024 Example News")


@pytest.mark.parametrize("name, data", [
    ("note.html", b"<p>Back at 3.</p>"),
    ("story.txt", b"Harbour strike ends\n\nDock workers ended their strike."),
], ids=["fragment-read-whole", "plain-text"])
def test_issue13_nothing_is_left_out_of_text_or_a_page_read_whole(name, data):
    assert read_document(name, data).left_out == ()


def test_an_html_page_cleans_into_the_article():
    article = clean(html_to_text(PAGE))
    assert article.title == "Harbour strike ends"
    assert article.date == "2024-03-03"
    assert article.headings == ["Ships diverted to Antwerp"]
    assert article.paragraphs == [
        "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer.",
        "Operators said traffic would be back to normal by Friday, according to the port authority.",
        "The strike forced several shipping lines to divert vessels to Antwerp and Hamburg.",
    ]
    assert html_article_text(PAGE) == article.body_text()


RECIPE = ("<html><body><nav><a href='/'>Home</a> <a href='/cakes'>Cakes</a></nav><article><h1>Lemon cake</h1>"
          "<p>This lemon cake is the one my grandmother baked every Sunday, and it has never failed me in forty years.</p>"
          "<h2>Ingredients</h2><ul><li>6 eggs</li><li>200 g sugar</li><li>Zest of two lemons</li><li>Share</li></ul>"
          "<p>Beat the eggs with the sugar until the mixture is pale and thick, then fold in the flour and the zest.</p>"
          "</article><footer>© 2024 Baking Blog</footer></body></html>")


def test_issue27_the_html_path_keeps_what_trafilatura_kept():
    # "Ingredients" and "Share" look like furniture to the text cleaner; trafilatura read them as the
    # page's main content, so they stay (a leftover button is visible, a lost list is not).
    page = read_page(RECIPE)
    assert page.main_content and page.left_out == ("Home Cakes", "© 2024 Baking Blog")
    assert clean(page.text).removed == (Removed("Ingredients", "boilerplate"), Removed("Share", "boilerplate"))
    assert html_article_text(RECIPE).split("\n\n") == [
        "This lemon cake is the one my grandmother baked every Sunday, and it has never failed me in forty years.",
        "Ingredients", "6 eggs", "200 g sugar", "Zest of two lemons", "Share",
        "Beat the eggs with the sugar until the mixture is pale and thick, then fold in the flour and the zest."]


def test_issue27_on_main_content_captions_credits_and_dates_still_leave():
    article = clean(html_to_text(PAGE), main_content=True)
    assert article.removed == clean(html_to_text(PAGE)).removed
    assert [line.reason for line in article.removed] == ["caption", "credit"]


def test_issue27_a_page_read_whole_is_cleaned_as_scraped_text():
    page = read_page(b"<p>Back at 3.</p>")
    assert page == Document("Back at 3.")


# Issue 13: HTML goes through trafilatura; newsdesk adds the header lines, subheadings and
# captions with their credits, as lines the cleaner reads. Made-up pages, exact text out.
NAV = ("<header><a href='/'>Harbour Times</a><nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li>"
       "<li><a href='/business'>Business</a></li><li><a href='/login'>Sign in</a></li></ul></nav></header>")
RELATED = ("<aside><h2>Related stories</h2><ul><li><a href='/a'>Ferry fares rise again this summer</a></li>"
           "<li><a href='/b'>New crane arrives at the container terminal</a></li></ul></aside>"
           "<footer><p>&copy; 2024 Harbour Times. All rights reserved.</p><ul><li><a href='/privacy'>Privacy</a></li>"
           "<li><a href='/terms'>Terms</a></li></ul></footer>")
LEAD = "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from the operators."
SECOND = "Operators said traffic would be back to normal by Friday, according to a statement from the port authority."
THIRD = "The strike forced several shipping lines to divert their vessels to Antwerp and Hamburg for most of the week."
FOURTH = "Union leaders said the agreement would be put to a vote of all members at a meeting later this month."
HEADER = ["Harbour strike ends", "2024-03-03", "By Jane Doe"]
DESCRIPTION = "<meta name='description' content='The port reopens after five days as unions accept a new offer'>"


def news_page(article: str, lang: str = "en", title: str = "Harbour strike ends", author: str = "Jane Doe",
              head: str = "") -> bytes:
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title} | Harbour Times</title>"
            f"<meta name='author' content='{author}'><meta property='article:published_time' content='2024-03-03T09:00:00Z'>"
            f"{head}<script>var tracking = 1;</script></head><body>{NAV}<main><article><h1>{title}</h1>{article}"
            f"</article></main>{RELATED}</body></html>").encode()


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


@pytest.mark.parametrize("page, lines", [
    (news_page("<p class='byline'>By Jane Doe</p>" + paragraphs(LEAD, SECOND, THIRD, FOURTH)),
     HEADER + [LEAD, SECOND, THIRD, FOURTH]),
    (news_page(paragraphs(LEAD, SECOND) + "<h2>Ships diverted to Antwerp</h2>" + paragraphs(THIRD)
               + "<h3>A vote this month</h3>" + paragraphs(FOURTH)),
     HEADER + [LEAD, SECOND, "Ships diverted to Antwerp", THIRD, "A vote this month", FOURTH]),
    (news_page(paragraphs(LEAD, SECOND) + "<figure><img src='cranes.jpg' alt='Cranes'><figcaption>Cranes stood idle at "
               "the terminal on Monday. <span class='credit'>ANP / Jan Jansen</span></figcaption></figure>"
               + paragraphs(THIRD, FOURTH)),
     HEADER + [LEAD, SECOND, "Cranes stood idle at the terminal on Monday.", "Photo: ANP / Jan Jansen", THIRD, FOURTH]),
    (news_page("<figure><img src='lead.jpg'><figcaption>Cranes at the terminal. Foto: dpa</figcaption></figure>"
               + paragraphs(LEAD, SECOND, THIRD)),
     HEADER + ["Cranes at the terminal.", "Photo: dpa", LEAD, SECOND, THIRD]),
    (news_page(paragraphs(LEAD, SECOND) + "<figure><img src='cranes.jpg'><figcaption>Cranes stood idle on Monday."
               "</figcaption></figure>" + paragraphs(THIRD, FOURTH)),
     HEADER + [LEAD, SECOND, THIRD, FOURTH]),
    (news_page("<p class='standfirst'>The port reopens after five days as unions accept a new offer</p>"
               + paragraphs(LEAD, SECOND, THIRD), head=DESCRIPTION),
     ["Harbour strike ends", "The port reopens after five days as unions accept a new offer", "2024-03-03", "By Jane Doe",
      LEAD, SECOND, THIRD]),
    (news_page("<div class='teaser-text'><span>The port reopens after five days as unions accept a new offer</span>"
               "</div>" + paragraphs(LEAD, SECOND, THIRD), head=DESCRIPTION),
     ["Harbour strike ends", "The port reopens after five days as unions accept a new offer", "2024-03-03", "By Jane Doe",
      LEAD, SECOND, THIRD]),
    (news_page(paragraphs(LEAD, SECOND) + "<table><tr><th>Port</th><th>Ships</th></tr><tr><td>Antwerp</td><td>14</td>"
               "</tr></table>" + paragraphs(THIRD)),
     HEADER + [LEAD, SECOND, "Port | Ships", "Antwerp | 14", THIRD]),
    (news_page(paragraphs("Die Hafenarbeiter in Hamburg haben ihren Streik am Dienstag nach fünf Tagen beendet und die "
                          "Arbeit wieder aufgenommen.", "Die Gewerkschaft nahm ein neues Angebot der Betreiber an, wie ein "
                          "Sprecher am Abend mitteilte.") + "<h2>Schiffe umgeleitet</h2>"
               + paragraphs("Mehrere Reedereien hatten ihre Schiffe während des Streiks nach Rotterdam umgeleitet."),
               lang="de", title="Hafenstreik beendet", author="Anna Schmidt"),
     ["Hafenstreik beendet", "2024-03-03", "Von Anna Schmidt",
      "Die Hafenarbeiter in Hamburg haben ihren Streik am Dienstag nach fünf Tagen beendet und die Arbeit wieder aufgenommen.",
      "Die Gewerkschaft nahm ein neues Angebot der Betreiber an, wie ein Sprecher am Abend mitteilte.",
      "Schiffe umgeleitet", "Mehrere Reedereien hatten ihre Schiffe während des Streiks nach Rotterdam umgeleitet."]),
    (news_page(paragraphs("Докеры в Роттердаме во вторник прекратили пятидневную забастовку после того, как профсоюз "
                          "принял новое предложение.", "Операторы порта заявили, что движение судов вернётся к норме к "
                          "пятнице, сообщает администрация порта."), lang="ru", title="Забастовка закончилась",
               author="Анна Смирнова"),
     ["Забастовка закончилась", "2024-03-03", "Автор: Анна Смирнова",
      "Докеры в Роттердаме во вторник прекратили пятидневную забастовку после того, как профсоюз принял новое предложение.",
      "Операторы порта заявили, что движение судов вернётся к норме к пятнице, сообщает администрация порта."]),
    (news_page(paragraphs("أنهى عمال الميناء في روتردام يوم الثلاثاء إضرابا استمر خمسة أيام بعد أن قبلت النقابات عرضا جديدا.",
                          "وقالت الشركات المشغلة إن حركة السفن ستعود إلى طبيعتها بحلول يوم الجمعة بحسب بيان سلطة الميناء.")
               + "<h2>تحويل السفن</h2>" + paragraphs("وأجبر الإضراب عدة شركات شحن على تحويل سفنها إلى أنتويرب وهامبورغ."),
               lang="ar", title="انتهاء الإضراب", author="سارة أحمد"),
     ["انتهاء الإضراب", "2024-03-03", "بقلم سارة أحمد",
      "أنهى عمال الميناء في روتردام يوم الثلاثاء إضرابا استمر خمسة أيام بعد أن قبلت النقابات عرضا جديدا.",
      "وقالت الشركات المشغلة إن حركة السفن ستعود إلى طبيعتها بحلول يوم الجمعة بحسب بيان سلطة الميناء.",
      "تحويل السفن", "وأجبر الإضراب عدة شركات شحن على تحويل سفنها إلى أنتويرب وهامبورغ."]),
], ids=["nav-related-footer", "subheadings", "figure-credit", "lead-image-glued-credit", "caption-without-credit",
        "standfirst-kept", "standfirst-left-out", "table", "de", "ru", "ar"])
def test_html_to_text_reads_the_article_with_header_lines(page, lines):
    assert html_to_text(page).split("\n") == lines


@pytest.mark.parametrize("html, text", [
    (b"<p>Hello</p>", "Hello"),
    (b"<p>Hello</p><p>world.</p>", "Hello\nworld."),
    (b"<html><body><h1>Note</h1><p>Back at 3.</p></body></html>", "Note\nBack at 3."),
    (b"<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
    (b"<div>Dock workers\nwent back\n to work.<pre>a\nb</pre></div>", "Dock workers went back to work.\na\nb"),
    ("<p>Stra\x00\x1fße</p>", "Straße"),
    (b"  ", ""),
], ids=["fragment", "two-paragraphs", "short-page", "list", "markup-line-breaks", "control-characters", "blank"])
def test_a_page_without_an_article_is_read_whole(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize("page", [
    # Issue 13: "charset" in a script but no <meta charset>: lxml took the UTF-8 bytes as Latin-1.
    "<html><head><script type='application/ld+json'>{\"charset\": 1}</script></head><body><p>Лёгкий тренинг: "
    "докеры вернулись к работе.</p></body></html>".encode(),
    "<html><head><meta charset='iso-8859-1'></head><body><p>Лёгкий тренинг: докеры вернулись к работе.</p></body></html>"
    .encode(),
], ids=["charset-in-a-script", "wrong-declaration"])
def test_utf8_pages_are_read_as_utf8_whatever_they_declare(page):
    assert html_to_text(page) == "Лёгкий тренинг: докеры вернулись к работе."


@pytest.mark.parametrize("reading, lines", [
    (Reading(), ["Harbour strike ends", "The port reopens after five days as unions accept a new offer", "2024-03-03",
                 "By Jane Doe", LEAD, "Cranes stood idle on Monday.", "Photo: ANP", SECOND, THIRD]),
    (Reading(teaser=False, captions=False), HEADER + [LEAD, SECOND, THIRD]),
], ids=["shipped", "trafilatura-body-only"])
def test_the_reading_choices_add_the_teaser_and_the_captions(reading, lines):
    page = news_page("<div class='teaser-text'>The port reopens after five days as unions accept a new offer</div>"
                     + paragraphs(LEAD) + "<figure><img src='a.jpg'><figcaption>Cranes stood idle on Monday. "
                     "<small class='copyright'>ANP</small></figcaption></figure>" + paragraphs(SECOND, THIRD), head=DESCRIPTION)
    assert html_to_text(page, reading=reading).split("\n") == lines


def test_the_same_page_twice_gives_the_same_text():
    page = news_page(paragraphs(LEAD, SECOND, THIRD, FOURTH))
    assert html_to_text(page) == html_to_text(page)  # no cache across documents (trafilatura's deduplicate)


def test_html_to_text_opens_no_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("html_to_text tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    head = ("<link rel='canonical' href='https://example.com/harbour'><meta property='og:url' "
            "content='https://example.com/harbour'><meta property='og:image' content='https://example.com/a.jpg'>")
    page = news_page(paragraphs(LEAD, SECOND) + "<img src='https://example.com/b.jpg'>" + paragraphs(THIRD), head=head)
    assert html_to_text(page).split("\n") == HEADER + [LEAD, SECOND, THIRD]


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
    (tmp_path / "a.rtf").write_bytes(b"{\\rtf1 Hello}")
    with pytest.raises(InvalidInput, match=r"^a\.rtf: newsdesk reads \.txt, \.md, \.markdown, \.html, \.htm, \.docx, "
                                           r"\.odt, \.pdf files; save the article as one of those$"):
        read_article(tmp_path / "a.rtf")
    (tmp_path / "latin.txt").write_bytes("Stra\xdfe".encode("latin-1"))
    with pytest.raises(InvalidInput, match="^latin.txt is not UTF-8 text: save it as UTF-8 and try again$"):
        read_article(tmp_path / "latin.txt")


@pytest.mark.parametrize("declared, data, text", [
    ("undefined", "<p>Café au port</p>".encode("latin-1"), "Café au port"),
    ("idna", "<p>Café au port</p>".encode("latin-1"), "Café au port"),
    ("utf-16", "<p>Café au port</p>".encode("latin-1"), "Café au port"),
    ("windows-1251", "<p>Докеры бастуют</p>".encode("cp1251"), "Докеры бастуют"),
], ids=["undefined", "idna", "utf-16-without-bom", "windows-1251"])
def test_issue13_a_declared_encoding_is_used_only_when_it_is_a_page_encoding(declared, data, text):
    assert html_to_text(f'<meta charset="{declared}">'.encode() + data) == text
