"""Sending a result file back (pages and the API share this): always as an attachment, with the
sanitised original name, never sniffed by the browser, never cached by a shared cache."""

from __future__ import annotations

from flask import current_app, send_file

from bwq_lab.operations import orders as ops


def send_result_file(order, file_id: int):
    row = ops.file_of(order, file_id)
    path = ops.path_of(row, current_app.config["RESULTS_FOLDER"])
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def result_upload_limit(config) -> int:
    """The request size a delivery may have: its own limit, not the page upload limit."""
    return config["RESULT_FILE_MAX_BYTES"] * config["RESULT_FILES_PER_DELIVERY"] + 2**20
