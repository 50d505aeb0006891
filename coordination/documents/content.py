"""What a file is, decided by its bytes and never by its name.

Three kinds are accepted: PDF, JPEG and PNG. Each is recognised by its
signature and then checked for the structure that kind must have (a PDF's
end-of-file marker, a JPEG's end-of-image marker, a PNG's header and end
chunks), so a renamed executable, a script or an SVG with a script in it
is refused whatever it is called. PDFs that carry JavaScript, launch
actions or embedded files are refused too: a certificate needs none.
"""
from __future__ import annotations

import re
import struct
import unicodedata

from coordination.documents.models import MediaType

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: PDF names that run code or carry other files (``/JS`` also matches ``/JavaScript``).
_PDF_ACTIVE = re.compile(rb"/(JS|JavaScript|Launch|EmbeddedFile|RichMedia|XFA)\b")
EXTENSIONS = {MediaType.PDF: "pdf", MediaType.JPEG: "jpg", MediaType.PNG: "png"}


def sniff(data: bytes) -> MediaType | None:
    """The accepted type ``data`` really is, or None."""
    if _is_pdf(data):
        return MediaType.PDF
    if _is_jpeg(data):
        return MediaType.JPEG
    if _is_png(data):
        return MediaType.PNG
    return None


def _is_pdf(data: bytes) -> bool:
    if not re.match(rb"%PDF-\d\.\d", data[:8]):
        return False
    if b"%%EOF" not in data[-1024:]:
        return False
    return _PDF_ACTIVE.search(data) is None


def _is_jpeg(data: bytes) -> bool:
    # Start of image, then a marker segment; end of image at the end.
    return (len(data) > 4 and data[:3] == b"\xff\xd8\xff"
            and data.rstrip(b"\x00")[-2:] == b"\xff\xd9")


def _is_png(data: bytes) -> bool:
    if not data.startswith(PNG_SIGNATURE) or len(data) < 8 + 25 + 12:
        return False
    length, kind = struct.unpack(">I4s", data[8:16])
    return length == 13 and kind == b"IHDR" and data[-12:-4] == b"\x00\x00\x00\x00IEND"


def display_name(uploaded: str | None, media_type: MediaType) -> str:
    """The name shown for a file: the uploaded name's last part, without
    any folder, control characters or extension, plus the extension of
    what the content is. Never used to store the file."""
    name = (uploaded or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:120] or "document"
    return f"{stem}.{EXTENSIONS[media_type]}"
