"""One spelling of every default the doors share: targets, summary length and method, formats.

Kept free of imports so that the CLI, the API, the page, the batch engine and the OpenAPI
document can read it without loading any pipeline stage.
"""

from __future__ import annotations

TARGETS = ("ar", "de", "ru")  # the newsroom's languages: the page's choices and every door's default
SUMMARY_LENGTH = 5  # sentences
SUMMARY_METHOD = "news"
SUMMARY_METHODS = ("news", "lexrank", "lsa", "luhn", "textrank", "edmundson", "sumbasic", "kl")
SOURCE = "auto"  # detect the article's language
DEFAULT_JOB_SOURCE = "en"  # /ready means: an English article goes into every one of TARGETS
INPUT_FORMATS = ("text", "html")  # what a text field holds
# format -> file suffix; xliff: XLIFF 1.2 for translators' tools, whose reviewed file goes back into the memory
OUTPUT_FORMATS = {"text": "txt", "markdown": "md", "json": "json", "html": "html", "xliff": "xlf"}
OUTPUT_FORMAT = "markdown"
# The longest article, in characters (NEWSDESK_MAX_CHARACTERS); a PDF stops being read once
# it has drawn half as much again (its page furniture, left out later, counts while it is read).
MAX_CHARACTERS = 100_000
# What a .docx, .odt or .pdf article may be (NEWSDESK_MAX_DOCUMENT_*; stages/office reads within them).
MAX_DOCUMENT_BYTES = 20_000_000
MAX_DOCUMENT_UNPACKED_BYTES = 100_000_000
MAX_DOCUMENT_PAGES = 500
MAX_DOCUMENT_PARAGRAPHS = 20_000
# Each document is read in a child process capped at this many megabytes beyond its start,
# and stopped after this many seconds (stages/office/fence.py): a 100 MB document's XML
# parses in a few hundred megabytes; a 500-page PDF reads in well under a minute.
DOCUMENT_READ_MEMORY = 1024
DOCUMENT_READ_SECONDS = 60.0
MAX_ALTERNATIVES = 5  # next-best translations per sentence: each is another beam kept to the end
