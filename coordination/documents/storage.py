"""Where the documents' bytes live: behind an interface, so that several
app servers can share an S3-compatible store while one server keeps a
local folder (docs/decisions.md says why only the local store exists yet).

The folder is outside the web root: by default ``documents/`` under the
instance folder (``DOCUMENTS_FOLDER`` overrides it). Files are named by
the caller with random names; a name that is not one is refused here, so
no path from a request can reach the file system.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

from flask import current_app

_NAME = re.compile(r"[0-9a-f]{32}")


class DocumentStore(Protocol):
    def put(self, name: str, data: bytes) -> None: ...

    def get(self, name: str) -> bytes: ...

    def delete(self, name: str) -> None: ...


class LocalStore:
    """Files in one folder, written owner-only."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        if not _NAME.fullmatch(name):
            raise ValueError("not a stored document's name")
        return self.folder / name

    def put(self, name: str, data: bytes) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._path(name)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)

    def get(self, name: str) -> bytes:
        return self._path(name).read_bytes()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)


def document_store() -> DocumentStore:
    """The configured store (``DOCUMENT_STORE``; only ``local`` exists)."""
    kind = current_app.config.get("DOCUMENT_STORE", "local")
    if kind != "local":
        raise RuntimeError(f"unknown document store {kind!r}")
    folder = current_app.config.get("DOCUMENTS_FOLDER") or os.path.join(
        current_app.instance_path, "documents")
    return LocalStore(folder)
