"""Where the documents' bytes live: behind an interface, so that several
app servers can share an S3-compatible store (``DOCUMENT_STORE = "s3"``)
while one server keeps a local folder (the default; docs/decisions.md).

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


class S3Store:
    """Objects in one bucket of an S3-compatible store, under a key prefix.

    boto3 is imported only when this store is configured (the ``s3`` extra).
    The objects are private (the bucket's policy; nothing here makes one
    public): the app reads them and serves them through the access policy,
    never by a link to the store.
    """

    def __init__(self, bucket: str, prefix: str = "documents/", client=None, **client_options):
        if client is None:
            import boto3  # the s3 extra: a deployment with the local store needs none

            client = boto3.client("s3", **client_options)
        self.bucket, self.prefix, self.client = bucket, prefix, client

    def _key(self, name: str) -> str:
        if not _NAME.fullmatch(name):
            raise ValueError("not a stored document's name")
        return self.prefix + name

    def put(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data,
                               ContentType="application/octet-stream")

    def get(self, name: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()

    def delete(self, name: str) -> None:
        # Deleting a missing key succeeds on S3, as unlink(missing_ok) does here.
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))


def document_store() -> DocumentStore:
    """The configured store (``DOCUMENT_STORE``: ``local`` or ``s3``).

    The S3 client is made once per app (it holds a connection pool) and
    shared by its threads, which boto3's clients allow.
    """
    config = current_app.config
    kind = config.get("DOCUMENT_STORE", "local")
    if kind == "s3":
        store = current_app.extensions.get("document_store")
        if store is None:
            if not config.get("DOCUMENTS_S3_BUCKET"):
                raise RuntimeError("DOCUMENT_STORE is s3 but DOCUMENTS_S3_BUCKET is not set")
            options = {key: value for key, value in (
                ("endpoint_url", config.get("DOCUMENTS_S3_ENDPOINT_URL")),
                ("region_name", config.get("DOCUMENTS_S3_REGION"))) if value}
            store = S3Store(config["DOCUMENTS_S3_BUCKET"],
                            config.get("DOCUMENTS_S3_PREFIX", "documents/"), **options)
            current_app.extensions["document_store"] = store
        return store
    if kind != "local":
        raise RuntimeError(f"unknown document store {kind!r}")
    folder = config.get("DOCUMENTS_FOLDER") or os.path.join(
        current_app.instance_path, "documents")
    return LocalStore(folder)
