"""Section fingerprints of bid and tender documents, for data providers.

A trading centre keeps the bid documents; we need only to know which parts of different
bidders' documents are the same (Order 87 Art. 37 item 5, mixed-up bid documents). So a
document is split into sections, each section's text is normalised (full-width forms folded,
case folded, whitespace, punctuation and symbols dropped, so that re-typesetting or a changed
font does not hide a copy) and hashed; an attachment (a scanned licence, a certificate) is
hashed as a file. The result is a list of `DocumentSection` records for a bid's or a project's
`sections`. Pure functions: no I/O.

    from credit.domain.fingerprints import document_sections, attachment
    sections = document_sections(text_of_the_bid) + [attachment(pdf_bytes, "营业执照")]
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from credit.domain.records import DocumentSection, SectionKind

ALGORITHM = "sha256"
# Shorter sections ("目录", a signature line, "详见附件") are common to any two bids.
MIN_CHARS = 40
PAGE_BREAK = "\f"  # what pdftotext and most text extractors put between pages

# A line that opens a section: 第一章 / 第三节 / 一、 / （二） / 1. / 1.2 / 3.1.4 / # Markdown
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s+\S"
    r"|第[一二三四五六七八九十百零〇\d]+[章节部分篇条]"
    r"|[一二三四五六七八九十]+[、.．]"
    r"|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d+(?:\.\d+)*[.．、]?\s+\S)"
)
_KEEP = ("L", "N")  # letters (CJK included) and digits: everything else is layout


def normalise(text: str) -> str:
    """The text as compared: NFKC, case folded, only letters and digits."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] in _KEEP)


def fingerprint(text: str) -> str:
    """`sha256:<hex>` of the normalised text."""
    return f"{ALGORITHM}:{hashlib.sha256(normalise(text).encode('utf-8')).hexdigest()}"


def split_sections(text: str) -> list[tuple[str | None, str, int]]:
    """(heading, body, page) of each section: a heading line opens one; a document without
    headings is split at blank lines. Pages count from 1; a page break moves the line it is
    on to the next page."""
    lines = text.split("\n")
    headed = any(_HEADING.match(line.replace(PAGE_BREAK, "")) for line in lines)
    sections: list[tuple[str | None, str, int]] = []
    title: str | None = None
    body: list[str] = []
    start: int | None = None
    page = 1

    def close() -> None:
        if title is not None or any(line.strip() for line in body):
            sections.append((title, "\n".join(body), start or page))

    for raw in lines:
        page += raw.count(PAGE_BREAK)
        line = raw.replace(PAGE_BREAK, "")
        if headed and _HEADING.match(line):
            close()
            title, body, start = line.strip()[:200], [], page
        elif not headed and not line.strip():
            close()
            title, body, start = None, [], None
        else:
            if start is None and line.strip():
                start = page
            body.append(line)
    close()
    return sections


def document_sections(text: str, min_chars: int = MIN_CHARS) -> list[DocumentSection]:
    """The fingerprints of a document's sections; sections whose normalised body has fewer
    than `min_chars` characters are left out (they match by chance). Identical sections are
    listed once, at their first place."""
    found: dict[str, DocumentSection] = {}
    for title, body, page in split_sections(text):
        size = len(normalise(body))
        if size < min_chars:
            continue
        digest = fingerprint(body)
        found.setdefault(
            digest,
            DocumentSection(
                kind=SectionKind.SECTION, hash=digest, title=title, page=page, size=size
            ),
        )
    return list(found.values())


def attachment(data: bytes, title: str | None = None) -> DocumentSection:
    """The fingerprint of an attached file, hashed as it is (a scan has no text to normalise)."""
    digest = f"{ALGORITHM}:{hashlib.sha256(data).hexdigest()}"
    return DocumentSection(kind=SectionKind.ATTACHMENT, hash=digest, title=title, size=len(data))
