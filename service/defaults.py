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
MAX_ALTERNATIVES = 5  # next-best translations per sentence: each is another beam kept to the end
