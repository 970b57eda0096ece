"""Result files of a delivered order: which uploads are acceptable, judged by content, and how
their names are made safe to show and to send back.

Accepted: PDF, PNG/JPEG/GIF/WebP images, CSV (text), XLSX (an Office Open XML workbook) and
ZIP archives of data. The file's bytes decide its type; the name's extension must agree with
them (a ``.pdf`` that is really a ZIP is refused, and so is a ``.csv`` holding binary data).
Pure Python: reads a seekable binary file object, never the disk by path.
"""

from __future__ import annotations

import unicodedata
import zipfile
from typing import BinaryIO

#: kind -> (accepted extensions, content type sent back)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "pdf": (("pdf",), "application/pdf"),
    "png": (("png",), "image/png"),
    "jpeg": (("jpg", "jpeg"), "image/jpeg"),
    "gif": (("gif",), "image/gif"),
    "webp": (("webp",), "image/webp"),
    "csv": (("csv",), "text/csv"),
    "xlsx": (("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "zip": (("zip",), "application/zip"),
}
ACCEPTED_EXTENSIONS = tuple(sorted({e for exts, _ in KINDS.values() for e in exts}))
MAX_NAME_LENGTH = 150


def name_problem(name: str | None) -> str | None:
    """A code when the name itself is unacceptable: empty, or trying a path trick."""
    if not name or not name.strip():
        return "FILE_NAME_MISSING"
    if "/" in name or "\\" in name or "\x00" in name or name.strip() in (".", "..") or name.startswith("."):
        return "FILE_NAME_UNSAFE"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "FILE_NAME_UNSAFE"
    return None


def sanitise_name(name: str) -> str:
    """The original name, kept readable (Chinese included) but safe to show and to put into a
    ``Content-Disposition`` header: no controls, no quotes or separators, bounded length."""
    name = unicodedata.normalize("NFC", name).strip()
    cleaned = "".join(
        "_" if (unicodedata.category(ch)[0] in "CZ" and ch != " ") or ch in "\"'<>:|?*;%" else ch for ch in name
    )
    cleaned = cleaned.strip(" .") or "result"
    stem, dot, ext = cleaned.rpartition(".")
    if dot and len(ext) <= 10:
        return stem[: MAX_NAME_LENGTH - len(ext) - 1] + "." + ext
    return cleaned[:MAX_NAME_LENGTH]


def extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def sniff(stream: BinaryIO) -> str | None:
    """The kind of file the bytes say it is (None: none we accept). Leaves the stream at 0."""
    stream.seek(0)
    head = stream.read(4096)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_kind(stream)
    if head and _is_text(head):
        return "csv"
    return None


def _zip_kind(stream: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if archive.testzip() is not None:
                return None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return None
    finally:
        stream.seek(0)
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    return "zip"


def _is_text(head: bytes) -> bool:
    """UTF-8 (or GB18030, as Chinese Excel saves CSV) with no control bytes but tab and newlines."""
    if any(b < 9 or 13 < b < 32 or b == 127 for b in head):
        return False
    cut = len(head) >= 4096  # a sample: its last character may be cut in half
    for encoding in ("utf-8", "gb18030"):
        for end in (len(head), len(head) - 1, len(head) - 2, len(head) - 3) if cut else (len(head),):
            try:
                head[:end].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def classify(stream: BinaryIO, name: str) -> tuple[str | None, str | None]:
    """``(kind, None)`` for an acceptable file, else ``(None, code)``."""
    problem = name_problem(name)
    if problem:
        return None, problem
    kind = sniff(stream)
    if kind is None:
        return None, "FILE_TYPE_NOT_ACCEPTED"
    if extension(name) not in KINDS[kind][0]:
        return None, "FILE_TYPE_MISMATCH"
    return kind, None


def content_type(kind: str) -> str:
    return KINDS[kind][1]
