"""Kinds of files that applicants attach: read from their bytes, named as people know them."""

from __future__ import annotations

import mimetypes

from django.utils.translation import gettext as _

# Signatures of the file kinds a service is likely to accept; a file whose bytes do not match
# what its name claims is refused rather than trusted.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"AC10", "image/vnd.dwg"),
]
_ZIP_BASED = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".zip": "application/zip",
}
_SIGNED_TYPES = {content_type for _sig, content_type in _SIGNATURES} | set(_ZIP_BASED.values())


def sniff_content_type(head: bytes, name: str) -> str:
    """The content type from the file's first bytes, or from its name for kinds without one."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if head.startswith(b"PK\x03\x04"):
        return _ZIP_BASED.get(suffix, "application/zip")
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    # A name that claims a kind with a signature, on bytes without it, is not that kind.
    return "application/octet-stream" if guessed in _SIGNED_TYPES else guessed


def readable_type(content_type: str) -> str:
    """A file kind as people know it: "PDF", not "application/pdf"."""
    names = {
        "application/pdf": "PDF",
        "image/png": "PNG",
        "image/jpeg": "JPEG",
        "image/tiff": "TIFF",
        "image/vnd.dwg": "DWG",
        "image/gif": "GIF",
        "application/zip": "ZIP",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (XLSX)",
        "application/vnd.oasis.opendocument.text": "OpenDocument (ODT)",
        "application/octet-stream": _("an unknown kind of file"),
    }
    if content_type in names:
        return str(names[content_type])
    return content_type.rsplit("/", 1)[-1].upper()
