"""Document section fingerprints as OCDS carries them.

OCDS has no field for a document's hash, so we follow the convention of the largest OCDS-based
e-procurement system, Prozorro, whose documents carry `hash` as "<algorithm>:<hex digest>"
(e.g. "md5:..."), and use OCDS 1.1's own `pageStart` for where a section begins: each section
or attachment of a bid is one Document in the bid's `documents` (bids extension:
`bids.details[].documents`), each section of the tender documents one Document in
`tender.documents`. A Document with `pageStart` points into a larger document: a SECTION;
one without is a file of its own: an ATTACHMENT (a section whose page is not known has an empty
`pageStart`). OCDS has no field for a section's size either: ours is `size` (normalised
characters of a section, bytes of a file). Documents without `hash` are not fingerprints and
are passed over; a malformed hash is noted and skipped. `write` writes sections the same
way (credit.formats.export_ocds), so the export reads back as it was.
"""

from __future__ import annotations

import re
from typing import Any

from credit.formats.common import ConversionReport, clip, objects

_HASH = re.compile(r"^[a-z0-9-]{2,16}:[0-9a-f]{16,128}$")


def sections(
    documents: Any, report: ConversionReport, kind: str, example: str
) -> list[dict[str, Any]]:
    """The fingerprinted Documents of a bid or a tender as our `sections`."""
    found: list[dict[str, Any]] = []
    for document in objects(documents):
        raw = document.get("hash")
        if raw is None:
            continue
        digest = raw.strip().lower() if isinstance(raw, str) else ""
        if not _HASH.match(digest):
            report.note(kind, "documents.hash.invalid:skipped", example)
            continue
        page = _page(document.get("pageStart"))
        entry: dict[str, Any] = {
            "kind": "SECTION" if document.get("pageStart") is not None else "ATTACHMENT",
            "hash": digest,
        }
        if title := clip(document.get("title"), 200):
            entry["title"] = title
        if page is not None:
            entry["page"] = page
        size = document.get("size")
        if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
            entry["size"] = size
        found.append(entry)
    return found


def write(sections: list[dict[str, Any]], document_type: str | None = None) -> list[dict[str, Any]]:
    """Our `sections` as the OCDS Documents of a bid or a tender, as `sections` reads them."""
    written: list[dict[str, Any]] = []
    for n, section in enumerate(sections, start=1):
        document: dict[str, Any] = {"id": f"section-{n}"}
        if document_type:
            document["documentType"] = document_type
        if section.get("title"):
            document["title"] = section["title"]
        document["hash"] = section["hash"]
        if section.get("kind", "SECTION") == "SECTION":
            document["pageStart"] = str(section.get("page") or "")
        if section.get("size") is not None:
            document["size"] = section["size"]
        written.append(document)
    return written


def _page(value: Any) -> int | None:
    """OCDS 1.1 gives pageStart as a string; a page number is its leading digits."""
    match = re.match(r"^\s*(\d{1,6})", str(value)) if isinstance(value, str | int) else None
    return (int(match.group(1)) or None) if match else None
