"""Per-language words the cleaner looks for: credits, bylines, dates, page furniture.

pySBD's style: one class per language, each a table of plain words and phrases (regular
expression fragments, matched case-insensitively). The cleaner runs before language
detection, so service/stages/clean.py compiles the union of every table; adding a language is
adding a class here and listing it in LANGUAGES. Agencies and photo services are shared.
"""

from __future__ import annotations


class Common:
    """Names that read the same in every language: agencies, photo services, symbols."""

    agencies = (
        "AP", "AFP", "Reuters", "dpa", "dpa-Bildfunk", "EPA", "EFE", "ANP", "ANSA", "APA", "AAP", "KNA", "epd", "SID",
        "dapd", "ddp", "Keystone", "Getty", "Getty Images", "imago", "IMAGO", "imago images", "picture alliance",
        "picture-alliance", "Shutterstock", "iStock", "iStockphoto", "Alamy", "Unsplash", "Pexels", "Pixabay",
        "Sipa", "ZUMA", "Zuma Press", "WENN", "Xinhua", "Kyodo", "Yonhap", "NTB", "TT", "Scanpix", "Ritzau",
        "Belga", "PAP", "ČTK", "Europa Press", "Anadolu", "TASS", "ТАСС", "РИА Новости", "Интерфакс", "Коммерсантъ",
        "رويترز", "أ ف ب", "الأناضول", "Privat", "privat",
    )
    # A share bar lists the networks one a line ("Facebook", "X（旧Twitter）", "LinkedIn").
    furniture = (
        "^(?:facebook|twitter|x|x（旧twitter）|linkedin|bluesky|threads|whatsapp|telegram|reddit|pinterest|xing|"
        "flipboard|pocket|messenger|mastodon|e-?mail|note|line|kakaotalk|weibo|wechat|vk|вконтакте|одноклассники)$",
    )


class English:
    credit_labels = ("Image", "Images", "Photo", "Photos", "Photograph", "Photographs", "Picture", "Illustration",
                     "Credit", "Credits", "Image credit", "Photo credit", "Video")
    source_labels = ("Source",)
    byline_labels = ("By", "Author", "Authors", "Editor", "Edited by", "Written by", "Reporting by", "Words by",
                     "Report by", "Analysis by", "Opinion by")
    months = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
    date_words = ("published", "updated", "posted", "last updated", "today", "yesterday", r"\d+ (?:seconds?|minutes?|hours?|days?) ago")
    skip_links = ("skip to", "jump to", "go to (?:content|navigation|main)")
    markers = (r"more(?: \w+){0,4}", r"related(?: \w+)?", "read more:?", r"recommended(?: \w+)?",
               "most (?:popular|read|viewed|shared)", "explore more on these topics", "top stories",
               "you may also like", "more stories", "trending", "latest news", "editor's picks",
               "join (?:our|the) (?:commenting forum|conversation)", "about the authors?")
    inline_markers = ("see also", "read also", "also read", "read next")
    # a profile of the writer or of a person named in the story, set apart from the text
    bios = (r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3} is an? [\w ,-]{0,60}(?:reporter|correspondent|editor|writer|journalist)\b",)
    more_links = ("more", "read more", "continue reading", "full story")
    # a button that asks the reader to sign up, subscribe or give: it closes a promo box
    calls_to_action = (r"sign up(?: now| here| for free| today)?", r"subscribe(?: now| here| today)?", "support us(?: today)?",
                       r"donate(?: now)?", "register now", "try (?:it )?(?:for )?free", "download (?:the|our) app")
    comments = (r"comments?", r"\d+ comments?", r"comments? \(\d+\)", "show comments", "view comments", "leave a comment", "add a comment")
    key_points = ("key points", "highlights", "in brief", "at a glance")
    # the note on a box that summarises the article by machine; the sentences under it repeat the text
    machine_summaries = (r"summary (?:was|is|has been) (?:generated|created|produced)", "ai-generated summary",
                         r"summar\w+ (?:generated|created) (?:by|with|using) (?:ai|artificial intelligence)")
    furniture = (
        "sign (?:in|up)", "log ?in", "subscribe", "subscription", "newsletter", "cookie", "privacy (?:notice|policy)",
        "data protection", "terms of (?:use|service)", "all rights reserved", "copyright", "share (?:this|on|or comment)",
        "follow us", "read more", "more (?:about|from|in|on) ", "related (?:topics|subjects|stories|articles)",
        "most (?:viewed|popular|read)", "advertisement", "sponsored", "click here", "download (?:the|our) app",
        "comments?(?: policy)?$", "join the conversation", "^share$", "view image", "fullscreen", "toggle caption",
        "next image", "previous image", "email link", "copy link", "print$", "bookmark",
        "report an? (?:editorial|technical)", "editorial code", "enter your email", "free weekly",
        "you'?ve successfully", "watch (?:now|live)", "listen\\b", "min read", "reuse this content",
        "explore more on these topics", "get the latest",
    )


class German:
    credit_labels = ("Bild", "Bilder", "Foto", "Fotos", "Fotograf", "Bildrechte", "Bildquelle", "Bildnachweis",
                     "Grafik", "Illustration", "Video")
    source_labels = ("Quelle",)
    byline_labels = ("Von", "Autor", "Autorin", "Autoren", "Redaktion", "Text", "Interview", "Kommentar von",
                     "Ein Kommentar von", "Eine Analyse von", "Eine Glosse von", "Eine Kolumne von", "Gastbeitrag von",
                     "Recherche", "Mitarbeit")
    months = ("januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
              "oktober", "november", "dezember")
    date_words = ("stand", "veröffentlicht(?: am)?", "aktualisiert(?: am)?", "zuletzt aktualisiert", "erstellt",
                  "heute", "gestern", r"vor \d+ (?:sekunden|minuten|stunden|tagen)", "verfügbar bis")
    skip_links = ("springen", "überspringen", "anspringen", "zum inhalt", "zur navigation", "zur hauptnavigation")
    markers = ("mehr zum thema", "weitere themen", "das könnte sie auch interessieren", "weitere artikel",
               "mehr aus (?:dem|der) \\w+", "meistgelesen", "top-themen", "empfehlungen", "zur startseite",
               "mehr zum thema bei .{1,40}", "weitere nachrichten", r"mehr von(?: \S+){1,3}",
               "passend zum (?:artikel|thema)", "über (?:den autor|die autorin|die autoren)", "zur person")
    inline_markers = ("lesen sie auch", "auch interessant", "auch lesenswert", "lesen sie dazu", "mehr dazu",
                      "lesen sie mehr", "zum thema")
    more_links = ("mehr", "weiterlesen", "mehr lesen", "zum artikel")
    calls_to_action = (r"jetzt (?:anmelden|abonnieren|unterstützen|testen|sichern|bestellen|ausprobieren|registrieren|"
                       r"herunterladen|spenden|kostenlos (?:anmelden|testen|registrieren))", "abonnieren", "zum newsletter",
                       r"hier (?:gratis |kostenlos )?(?:herunterladen|anmelden|abonnieren|registrieren)",
                       "hier geht es zur anmeldung", "zur anmeldung")
    comments = ("kommentare", r"\d+ kommentare?", r"kommentare\s?\(\d+\)", r"zu den kommentaren(?: \(\d+\))?", "leserkommentare", "kommentieren", "kommentar schreiben",
                "kommentar melden", "diskussion")
    key_points = ("das wichtigste in kürze", "auf einen blick", "das wichtigste")
    machine_summaries = ("zusammenfassung wurde (?:künstlich|automatisch|mit ki) erzeugt", "ki-generierte zusammenfassung",
                         r"mit (?:hilfe (?:von|einer) )?(?:ki|künstlicher intelligenz) (?:erstellt|erzeugt|generiert|zusammengefasst)",
                         "der artikel für sie zusammengefasst")
    furniture = (
        "anmelden", "einloggen", "registrieren", "abonnieren", "abo(?:nnement)?\\b", "newsletter", "datenschutz",
        "datenschutzerklärung", "privatsphäre", "cookies?", "artikel teilen", "^teilen$", "^drucken$", "^merken$",
        "^vorlesen$", "^anhören$", "link kopieren", "fehler melden", "^anzeige$", "^werbung$", "externer? inhalte?",
        "inhalte? anzeigen", "einverstanden, dass", "personenbezogene daten", "alle rechte vorbehalten",
        "^impressum$", "jetzt (?:lesen|sichern|testen|bestellen|unterstützen|abonnieren|anmelden|ausprobieren)",
        "^startseite$", "^menü$", "^suche$", "navigation", "mehr anzeigen", "zur startseite", "weiterlesen",
        "lesezeit", "min\\.? lesezeit", "hier klicken", "^\\d+ min\\.?$",
        # the placeholder of an embedded post or video the reader has not allowed
        "empfohlener redaktioneller inhalt", "externe[nr]? inhalte?", "an dieser stelle finden sie",
    )


class Russian:
    credit_labels = ("Фото", "Фотография", "Иллюстрация", "Кадр", "Видео")
    source_labels = ("Источник",)
    byline_labels = ("Автор", "Авторы", "Редактор", "Текст", "Корреспондент", "Обозреватель")
    months = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")
    date_words = ("опубликовано", "обновлено", "сегодня", "вчера", r"\d+ (?:минут[уы]?|час(?:а|ов)?|дн(?:я|ей)) назад")
    skip_links = ("перейти к", "к содержанию")
    markers = ("ещё по теме", "еще по теме", "похожие новости", "самое читаемое", "новости по теме")
    inline_markers = ("читайте также", "смотрите также", "по теме")
    more_links = ("подробнее", "читать далее")
    calls_to_action = ("подписаться", "подпишитесь", "оформить подписку")
    comments = ("комментарии", r"\d+ комментари(?:й|я|ев)")
    key_points = ("главное",)
    machine_summaries = (r"(?:краткое содержание|пересказ) (?:сгенерирован|создан)", "сгенерировано нейросетью")
    furniture = ("подписаться", "подпишитесь", "поделиться", "читать далее", "^реклама$", "войти", "^регистрация$",
                 "все права защищены", "нашли ошибку", "рассылк", "^меню$", "^поиск$")


class Arabic:
    credit_labels = ("صورة", "الصورة", "صور", "تصوير", "فيديو")
    source_labels = ("المصدر",)
    byline_labels = ("الكاتب", "الكاتبة", "كتب", "كتبت", "بقلم", "تحرير", "إعداد", "المحرر", "المحررة", "مراسل", "مراسلة")
    months = ("يناير", "فبراير", "مارس", "أبريل", "إبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
              "نوفمبر", "ديسمبر", "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
              "تشرين الأول", "تشرين الثاني", "كانون الأول")
    date_words = ("نشر في", "تاريخ النشر", "آخر تحديث", "اليوم", r"منذ \d+")
    skip_links = ("انتقل إلى", "تخطى إلى", "تخطي إلى")
    markers = ("أخبار ذات صلة", "الأكثر قراءة", "مواضيع ذات صلة", "المزيد من")
    inline_markers = ("اقرأ أيضا", "اقرأ أيضاً", "اقرأ ايضا")
    more_links = ("المزيد", "اقرأ المزيد")
    calls_to_action = ("اشترك الآن", "اشترك")
    comments = ("التعليقات", "تعليقات")
    key_points = ("أبرز النقاط",)
    machine_summaries = ("ملخص بالذكاء الاصطناعي", "تم إنشاء هذا الملخص")
    # "شارك", "مشاركة", "إعلان" are also everyday words (to take part, announcement): labels only when alone
    furniture = ("^شارك$", "^مشاركة$", "^إعلان$", "تابعونا", "اشترك", "جميع الحقوق محفوظة", "تسجيل الدخول", "اقرأ المزيد",
                 "النشرة البريدية")


class Romance:
    """Spanish, French, Italian, Portuguese: the words their news pages share."""

    credit_labels = ("Foto", "Fotografía", "Imagen", "Imágenes", "Vídeo", "Photo", "Crédit", "Immagine", "Fotografia")
    source_labels = ("Fuente", "Fonte")
    byline_labels = ("Por", "Par", "Di", "Autor", "Auteur", "Redacción", "Rédaction", "Redazione")
    months = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
              "noviembre", "diciembre", "janvier", "février", "mars", "avril", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre", "gennaio", "febbraio", "aprile", "maggio", "giugno",
              "luglio", "settembre", "ottobre", "dicembre")
    date_words = ("actualizado", "publicado", "mis à jour", "publié le", "aggiornato")
    skip_links = ("ir al contenido", "aller au contenu", "vai al contenuto")
    markers = ("te puede interesar", "lo más visto", "sur le même sujet", "sobre la firma", "sobre el autor",
               "à propos de l'auteur", "sull'autore")
    inline_markers = ("más información", "lire aussi", "à lire aussi", "leggi anche", "leia também", "lee también")
    more_links = ("leer más", "seguir leyendo", "lire la suite", "leggi di più", "continua a leggere", "leia mais")
    calls_to_action = ("suscríbete", "suscribirme", "hazte socio", "je m'abonne", "abonnez-vous", "abbonati", "assine já")
    comments = ("comentarios", "commentaires", "commenti", "comentários")
    key_points = ()
    machine_summaries = (r"resumen (?:generado|creado) (?:por|con) (?:ia|inteligencia artificial)",
                         r"résumé (?:généré|rédigé) (?:par|avec) (?:l'ia|ia|une ia|l'intelligence artificielle)",
                         r"riassunto (?:generato|creato) (?:da|con) (?:l'ia|ia|intelligenza artificiale)")
    furniture = ("suscr[ií]b", "suscripción", "iniciar sesión", "continuar leyendo", "ver biografía", "compartir",
                 "publicidad", "s'abonner", "abonnez-vous", "se connecter", "partager", "publicité", "abbonati",
                 "condividi", "pubblicità", "assine", "compartilhar")


class Nordic:
    """Swedish, Norwegian, Danish, Icelandic, Dutch: the words their news pages share."""

    credit_labels = ("Foto", "Bild", "Billede", "Mynd", "Kuva")
    source_labels = ("Kilde", "Källa", "Bron")
    byline_labels = ("Av", "Af", "Door", "Skrevet af", "Tekst")
    months = ("januari", "februari", "maart", "mars", "april", "mei", "maj", "juni", "juli", "augusti", "augustus",
              "september", "oktober", "november", "december", "desember")
    date_words = ("publicerad", "uppdaterad", "publisert", "oppdatert", "opdateret", "bijgewerkt")
    skip_links = ("hoppa till", "hopp til", "spring til", "ga naar")
    markers = ("meer nieuws",)
    inline_markers = ("läs också", "läs mer", "les også", "læs også", "lees ook")
    more_links = ("lees meer", "læs mere")
    calls_to_action = ("prenumerera nu", "bli abonnent", "abonneer nu", "word abonnee")
    comments = ("kommentarer", "reacties")
    key_points = ()
    machine_summaries = (r"(?:ai|ki)-genererad sammanfattning", r"sammendraget er (?:laget|generert) (?:av|med) (?:ki|kunstig intelligens)")
    furniture = ("prenumerera", "abonner", "logga in", "logg inn", "log ind", "inloggen", "dela(?!\\w)", "del artikkelen",
                 "annons", "annonse", "annonce", "advertentie", "visa mer")


class Japanese:
    """Japanese: no spaces between words, so entries are phrases matched anywhere in a line."""

    credit_labels = ("写真", "画像", "撮影", "提供")
    source_labels = ("出典", "出所")
    byline_labels = ("文", "記者", "筆者")
    months = ()
    date_words = ("更新", "配信", "掲載")
    skip_links = ("本文へ", "メインコンテンツへ")
    markers = ("【関連記事】", "関連記事", "こちらもおすすめ", "アクセスランキング", "おすすめ記事", "人気記事")
    inline_markers = ("あわせて読みたい", "併せて読みたい")
    # a personnel profile: "Name氏（よみ・がな）" then the career, the way Japanese papers print a 略歴
    bios = (r"^\S{1,8}(?: \S{1,8})?氏[（(][ぁ-ゖー]+・[ぁ-ゖー]+[）)]",)
    agencies = ("共同通信社", "共同通信", "共同", "時事通信社", "時事通信", "時事", "ロイター", "ゲッティ")
    more_links = ("続きを読む", "もっと見る", "詳しく見る")
    calls_to_action = ("今すぐ登録", "無料会員に登録する", "会員登録する")
    comments = ("コメント",)
    key_points = ("ポイント",)
    machine_summaries = ("aiによる要約", "ai要約", "要約はaiが")
    furniture = ("記事を印刷する", "メールで送る", "リンクをコピーする", "詳しくはこちら", "記事利用", "転載", "ご覧ください",
                 "この記事の画像を見る", "有料会員", "会員登録", "ログイン", "アプリで開く", "無料体験", "ニュースレター",
                 "シェアする", "ブックマーク", "無断転載")


class Korean:
    """Korean: credits in brackets ("[사진 출처 = 연합뉴스]"), reporters named "… 기자"."""

    credit_labels = ("사진", "사진 출처", "사진출처", "이미지", "영상", "그래픽")
    source_labels = ("출처",)
    byline_labels = ("글", "기자")
    months = ()
    date_words = ("입력", "수정", "업데이트", "기사입력", "최종수정")
    skip_links = ("본문 바로가기", "메뉴 바로가기")
    markers = ("관련기사", "관련 기사", "많이 본 뉴스", "인기 기사", "추천 기사", "실시간 인기")
    inline_markers = ("함께 보면 좋은 기사",)
    more_links = ("더보기", "기사 더보기")
    calls_to_action = ("구독하기", "회원 가입", "무료 회원 가입")
    comments = ("댓글", r"댓글 \d+")
    key_points = ("요약",)
    machine_summaries = ("ai 요약은", "ai가 요약", "요약은 ai")
    furniture = ("이미지 확대보기", "사진 확대", "ai 요약", "기사 공유", "좋아요", "구독", "로그인", "무단전재", "재배포 금지", "글자 크기",
                 "기사를 추천", "마음에 들었다면")


LANGUAGES = (English, German, Russian, Arabic, Romance, Nordic, Japanese, Korean)

# How a byline reads in a page's language (ISO 639-1), for bylines made from a page's
# metadata; each is one of that language's byline_labels above, so the cleaner reads it.
BYLINE_PREFIXES = {"en": "By", "de": "Von", "ru": "Автор:", "ar": "بقلم", "fr": "Par", "es": "Por", "it": "Di",
                   "pt": "Por", "nl": "Door", "sv": "Av", "no": "Av", "nb": "Av", "da": "Af"}


def byline_prefix(language: str) -> str:
    """The word a byline starts with in ``language`` ("Von" for de), English's by default."""
    return BYLINE_PREFIXES.get(language.split("-")[0].lower(), BYLINE_PREFIXES["en"])


# Scripts written without spaces between words: their entries match anywhere in a line.
UNSPACED = (Japanese, Korean)


def union(attribute: str, languages: tuple = (Common, *LANGUAGES)) -> tuple[str, ...]:
    """Every language's entries for one table, longest first (so a regex tries "Fotos" before "Foto")."""
    entries = {entry for language in languages for entry in getattr(language, attribute, ())}
    return tuple(sorted(entries, key=lambda entry: (-len(entry), entry)))
