"""A request body of declared length, read into the caller's own buffer (`readinto`).

Under gunicorn the body is taken from the connection's socket itself (`recv_into`), after the
bytes its parser had already read ahead: its input stream hands out a new bytes object per
read, built through two more buffers. Gunicorn is told how much of the body is gone, so it
neither reads those bytes again nor loses the start of a next request on the connection.
Under any other server (or a gunicorn whose stream does not look as expected) the body is
read from `wsgi.input` and copied in.
"""

from __future__ import annotations

import io
import socket
from typing import Any


class StreamBody:
    """`readinto` over any WSGI input stream: one copy per read."""

    def __init__(self, stream: Any, length: int) -> None:
        self._stream = stream
        self._left = length

    def readinto(self, buffer: memoryview) -> int:
        if self._left <= 0:
            return 0
        data = self._stream.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


class SocketBody:
    """`readinto` from gunicorn's socket for a body of `Content-Length` bytes; the bytes its
    parser read ahead come first."""

    def __init__(self, reader: Any, sock: socket.socket, ahead: bytes, length: int) -> None:
        self._reader = reader  # gunicorn's LengthReader: its `length` is what it has yet to read
        self._sock = sock
        self._ahead = memoryview(ahead)
        self._left = length

    def readinto(self, buffer: memoryview) -> int:
        want = min(len(buffer), self._left)
        if want <= 0:
            return 0
        if self._ahead:
            got = min(want, len(self._ahead))
            buffer[:got] = self._ahead[:got]
            self._ahead = self._ahead[got:]
        else:
            got = self._sock.recv_into(buffer, want)
        self._left -= got
        self._reader.length -= got
        return got


def body_of(environ: dict[str, Any], length: int) -> StreamBody | SocketBody:
    """The body of a request declaring `length` bytes (its `Content-Length`), not yet read."""
    stream = environ["wsgi.input"]
    reader: Any = getattr(stream, "reader", None)
    unreader: Any = getattr(reader, "unreader", None)
    sock = environ.get("gunicorn.socket")
    held = getattr(unreader, "buf", None)
    if (type(reader).__name__ != "LengthReader" or getattr(reader, "length", None) != length
            or getattr(unreader, "sock", None) is not sock or sock is None
            or not isinstance(held, io.BytesIO) or _buffered(stream)):
        return StreamBody(stream, length)
    data = held.getvalue()
    ahead, rest = data[:length], data[length:]  # rest: a pipelined next request
    unreader.buf = io.BytesIO()
    unreader.buf.write(rest)
    return SocketBody(reader, sock, ahead, length)


def _buffered(stream: Any) -> bool:
    """Whether gunicorn's stream already holds bytes of its own (then it is read as is)."""
    own = getattr(stream, "buf", None)
    if not isinstance(own, io.BytesIO):
        return True
    return own.getbuffer().nbytes > 0
