"""Uploaded files: the type is decided by the content, not the name, and files are stored outside the
web root under a generated name."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from flask import current_app

# What partners attach to a story, by extension as detected from the content.
ALLOWED_BINARY = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
ALLOWED_TEXT = {"csv": "text/csv", "txt": "text/plain"}
ALLOWED_DESCRIPTION = "PDF, Word, Excel, PowerPoint, OpenDocument, CSV, plain text, PNG, JPEG, GIF, WebP or MP4"


class FileRefused(ValueError):
    pass


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_filename: str
    content_type: str
    size_bytes: int


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _detect(head: bytes, filename: str) -> tuple[str, str]:
    kind = filetype.guess(head)
    if kind is not None:
        if kind.extension in ALLOWED_BINARY:
            return kind.extension, ALLOWED_BINARY[kind.extension]
        raise FileRefused(f"The file must be a {ALLOWED_DESCRIPTION} file")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in ALLOWED_TEXT and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character may be cut at the end of the sample; anything else is not text.
            if error.start < len(head) - 4:
                raise FileRefused("The file must be saved as UTF-8 text") from error
        return extension, ALLOWED_TEXT[extension]
    raise FileRefused(f"The file must be a {ALLOWED_DESCRIPTION} file")


def store(stream: BinaryIO, filename: str) -> StoredFile:
    data = stream.read()
    if not data:
        raise FileRefused("The selected file is empty")
    extension, content_type = _detect(data[:8192], filename)
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    (upload_dir() / stored_name).write_bytes(data)
    safe_original = Path(filename.replace("\\", "/")).name[:200] or f"file.{extension}"
    return StoredFile(stored_name, safe_original, content_type, len(data))


def path_of(stored_name: str) -> Path:
    return upload_dir() / Path(stored_name).name


def delete(stored_name: str | None) -> None:
    if stored_name:
        path_of(stored_name).unlink(missing_ok=True)
