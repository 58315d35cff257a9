"""Serving what the blob store holds (photo renditions, issued documents) the one way.

Objects are content-addressed, so the ETag is the sha256 and never changes: a client that has
one never fetches it again (`304`, weak comparison as RFC 9110 asks for If-None-Match). No
database transaction stays open while the bytes flow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from typing import BinaryIO

from flask import Response, request

from api import database
from media.blobstore import CHUNK_SIZE, BlobStore, store_from_url

CACHE = "private, max-age=31536000, immutable"


def blob_store() -> BlobStore:
    """The store the settings name (`KT1_MEDIA_URL`)."""
    settings = database.settings()
    return store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)


def send_stored(sha256: str, mimetype: str, *, disposition: str | None = None) -> Response:
    """The object `sha256` as `mimetype`, streamed, with its ETag and caching headers;
    `disposition` becomes the Content-Disposition (e.g. `attachment; filename="x.pdf"`)."""
    headers = {"ETag": f'"{sha256}"', "Cache-Control": CACHE, "X-Content-Type-Options": "nosniff"}
    if disposition:
        headers["Content-Disposition"] = disposition
    if request.if_none_match.contains_weak(sha256):
        return Response(status=304, headers=headers)
    store = blob_store()
    database.release()  # nothing is written; no transaction stays open while bytes flow
    headers["Content-Length"] = str(store.size(sha256))
    return Response(_stream(store.open(sha256)), mimetype=mimetype, headers=headers,
                    direct_passthrough=True)


def _stream(opened: BinaryIO) -> Iterator[bytes]:
    with closing(opened) as source:
        while chunk := source.read(CHUNK_SIZE):
            yield chunk
