"""A tus 1.0.0 client over Flask's test client: metadata and checksum headers, creation,
offset queries, appends and termination, as a tablet would send them."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

URL = "/api/v1/uploads"
TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_TYPE = "application/offset+octet-stream"


def metadata(**values: str | None) -> str:
    """`Upload-Metadata`: `key base64(value)` pairs; None leaves the key without a value."""
    return ",".join(key if value is None else f"{key} {b64(value.encode())}"
                    for key, value in values.items())


def decode_metadata(header: str) -> dict[str, str]:
    pairs = (part.split(" ") for part in header.split(","))
    return {key: base64.b64decode(value).decode() for key, value in pairs}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checksum(data: bytes, algorithm: str = "sha256") -> str:
    """`Upload-Checksum` of a body."""
    return f"{algorithm} {b64(hashlib.new(algorithm, data).digest())}"


def path_of(location: str) -> str:
    """The path of a `Location` (the server answers absolute URLs)."""
    return urlsplit(location).path


class Tus:
    """One user's tus conversation with the server (`auth` holds their bearer token)."""

    def __init__(self, client, auth: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.auth = auth

    def create(self, data: bytes, *, length: int | None = None, headers: dict | None = None,
               **meta: str | None):  # type: ignore[no-untyped-def]
        """POST a creation for `data`; `sha256` defaults to the data's own."""
        meta.setdefault("sha256", sha256(data))
        return self.client.post(URL, headers={
            **TUS, **self.auth, "Upload-Length": str(len(data) if length is None else length),
            "Upload-Metadata": metadata(**{k: v for k, v in meta.items()}), **(headers or {})})

    def head(self, location: str):  # type: ignore[no-untyped-def]
        return self.client.head(path_of(location), headers={**TUS, **self.auth})

    def offset(self, location: str) -> int:
        resp = self.head(location)
        assert resp.status_code == 200, resp.status_code
        return int(resp.headers["Upload-Offset"])

    def patch(self, location: str, body: bytes, offset: int | str | None,
              headers: dict | None = None):  # type: ignore[no-untyped-def]
        sent = {**TUS, **self.auth, "Content-Type": OFFSET_TYPE, **(headers or {})}
        if offset is not None:
            sent["Upload-Offset"] = str(offset)
        return self.client.patch(path_of(location), data=body, headers=sent)

    def delete(self, location: str):  # type: ignore[no-untyped-def]
        return self.client.delete(path_of(location), headers={**TUS, **self.auth})

    def send(self, location: str, data: bytes, chunk: int | None = None):  # type: ignore[no-untyped-def]
        """Append all of `data` in chunks of `chunk` bytes; the last PATCH's response."""
        chunk = chunk or len(data)
        resp = None
        for start in range(0, len(data), chunk):
            resp = self.patch(location, data[start:start + chunk], start)
            if resp.status_code != 204:
                return resp
        return resp
