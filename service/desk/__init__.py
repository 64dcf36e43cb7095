"""The translation desk's own state: what editors keep and correct, and how it is applied.

- ``glossary``: the stored glossary (terms kept as the desk wants them), CSV/TSV/TBX in and out;
- ``memory``: the translation memory of editors' corrections (SQLite, or Redis for many hosts);
- ``exchange``: TMX and XLIFF, the formats translation tools exchange memories and files in;
- ``translating``: translation with the memory's corrections and the glossary's terms applied;
- ``results``: the web desk's recent runs, their progress and the editor's changes.

Below the doors (http/, cli/) and the pipeline, beside translation: translation takes the
terms and corrections it is given and imports nothing from here.
"""
