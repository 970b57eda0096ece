"""Result files: checked by content, stored outside ``static/`` under random names, opened only
for those who may see the order.

The caller (a page or the API) passes each upload as an object with ``filename`` and ``stream``
(werkzeug's ``FileStorage`` fits), the folder to store into and the size limit. A bad upload (name
with a path trick, type not accepted by its bytes, too big, empty) is refused with every problem
and nothing is stored: files already written for the same delivery are removed again.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from bwq_lab.domain import result_files as rf
from bwq_lab.models import ServiceOrder, ServiceOrderFile, User
from bwq_lab.refusals import Problem, Refusal

CHUNK = 1024 * 1024


class Upload(Protocol):
    filename: str | None
    stream: BinaryIO


@dataclass
class StoredFile:
    path: Path
    original_name: str
    kind: str
    size: int


def check_and_store(uploads: list[Upload], folder: str | os.PathLike, max_bytes: int) -> list[StoredFile]:
    """Check every upload and write the good ones into ``folder``; with any bad one, refuse them
    all (422, one problem per bad file, field ``files``) and leave nothing behind."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    stored: list[StoredFile] = []
    problems: list[Problem] = []
    try:
        for upload in uploads:
            name = upload.filename or ""
            problem = rf.name_problem(name)
            if problem:
                problems.append(Problem(problem, field="files", params={"name": rf.sanitise_name(name or "?")}))
                continue
            result = _store_one(upload, name, target, max_bytes)
            if isinstance(result, Problem):
                problems.append(result)
            else:
                stored.append(result)
        if problems:
            raise Refusal(422, problems)
    except BaseException:
        discard(stored)
        raise
    return stored


def _store_one(upload: Upload, name: str, target: Path, max_bytes: int) -> StoredFile | Problem:
    shown = rf.sanitise_name(name)
    fd, tmp = tempfile.mkstemp(dir=target, prefix=".upload-")
    size = 0
    try:
        with os.fdopen(fd, "w+b") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    return Problem("FILE_TOO_LARGE", field="files", params={"name": shown, "max_bytes": max_bytes})
                out.write(chunk)
            if size == 0:
                return Problem("FILE_EMPTY", field="files", params={"name": shown})
            kind, problem = rf.classify(out, name)
        if problem:
            return Problem(problem, field="files", params={"name": shown})
        final = target / f"{secrets.token_hex(16)}.{rf.KINDS[kind][0][0]}"
        shutil.move(tmp, final)
        tmp = None
        return StoredFile(final, shown, kind, size)
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def attach(order: ServiceOrder, stored: list[StoredFile], actor: User, now) -> list[ServiceOrderFile]:
    rows = [
        ServiceOrderFile(
            stored_name=s.path.name,
            original_name=s.original_name,
            kind=s.kind,
            content_type=rf.content_type(s.kind),
            size=s.size,
            uploaded_by_id=actor.id,
            uploaded_at=now,
        )
        for s in stored
    ]
    order.files.extend(rows)
    return rows


def discard(stored: list[StoredFile]) -> None:
    for s in stored:
        try:
            s.path.unlink()
        except FileNotFoundError:
            pass


def file_of(order: ServiceOrder, file_id: int) -> ServiceOrderFile:
    for f in order.files:
        if f.id == file_id:
            return f
    raise Refusal(404, [Problem("FILE_NOT_FOUND")])


def path_of(row: ServiceOrderFile, folder: str | os.PathLike) -> Path:
    """The stored file's path; the stored name is ours (random hex), never the user's."""
    path = Path(folder) / row.stored_name
    if path.parent != Path(folder) or not path.is_file():
        raise Refusal(404, [Problem("FILE_NOT_FOUND")])
    return path
