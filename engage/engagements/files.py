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


def upload_hint() -> str:
    """The hint under a file input, with the size limit actually configured."""
    limit_mb = current_app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
    return f"{ALLOWED_DESCRIPTION}, up to {limit_mb:g} MB. Do not upload anything with personal details."


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


# How to name each accepted type in an error message, by the extensions a file's name may end in.
NAMED_AS = {
    "pdf": "a PDF", "png": "a PNG", "jpg": "a JPEG", "jpeg": "a JPEG", "gif": "a GIF", "webp": "a WebP",
    "mp4": "an MP4", "docx": "a Word", "xlsx": "an Excel", "pptx": "a PowerPoint", "odt": "an OpenDocument text",
    "ods": "an OpenDocument spreadsheet", "odp": "an OpenDocument presentation", "csv": "a CSV",
    "txt": "a plain text",
}
SAME_TYPE = {"jpeg": "jpg"}
NOT_ACCEPTED = f"The selected file must be a {ALLOWED_DESCRIPTION} file"


def _name_ending(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _mismatch(ending: str, detected: str | None) -> FileRefused:
    if ending in NAMED_AS:
        return FileRefused(f"The selected file is not {NAMED_AS[ending]} file, but its name ends in .{ending}")
    if detected in NAMED_AS:
        return FileRefused(f"The selected file is {NAMED_AS[detected]} file, but its name ends in .{ending}")
    return FileRefused(NOT_ACCEPTED)


def _detect(head: bytes, filename: str) -> tuple[str, str]:
    # The name is checked too: a file whose name says one type and whose content is another would be
    # downloaded under a misleading name, and is often a disguised file.
    ending = _name_ending(filename)
    kind = filetype.guess(head)
    if kind is not None:
        detected = kind.extension if kind.extension in ALLOWED_BINARY else None
        if detected is None or (ending and SAME_TYPE.get(ending, ending) != detected):
            raise _mismatch(ending, detected)
        return detected, ALLOWED_BINARY[detected]
    if ending in ALLOWED_TEXT:
        if b"\x00" in head:
            raise _mismatch(ending, None)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character may be cut at the end of the sample; anything else is not text.
            if error.start < len(head) - 4:
                raise FileRefused("The selected file must be saved as UTF-8 text") from error
        return ending, ALLOWED_TEXT[ending]
    raise _mismatch(ending, None)


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
