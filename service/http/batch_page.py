"""Serve the batch page at /batch: upload many articles, watch the job, download the results."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("batch_page", __name__)
