"""A PATCH body read into the append's buffers: under gunicorn straight from the socket (after
what its parser read ahead), with the next request on the connection left intact; under any
other server from `wsgi.input`."""

from __future__ import annotations

import io
import os
import socket
import threading
from collections.abc import Iterator

import pytest
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

from api.upload_body import SocketBody, StreamBody, body_of

BODY = os.urandom(3 * 1024 * 1024 + 4321)
NEXT_BODY = b"the next request's body"


def _request(body: bytes, path: str = "/api/v1/uploads/u1") -> bytes:
    return (f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
            "Content-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


@pytest.fixture
def connection() -> Iterator[tuple[socket.socket, socket.socket]]:
    client, server = socket.socketpair()
    server.settimeout(10)  # a read past what was sent fails instead of waiting
    with client, server:
        yield client, server


def _send(client: socket.socket, data: bytes) -> threading.Thread:
    sender = threading.Thread(target=client.sendall, args=(data,))
    sender.start()
    return sender


def _read_all(body: SocketBody | StreamBody, piece: int) -> bytes:
    out = bytearray()
    buffer = memoryview(bytearray(piece))
    while n := body.readinto(buffer):
        out += buffer[:n]
    return bytes(out)


def test_under_gunicorn_the_body_comes_from_the_socket_and_the_next_request_stays_whole(
        connection: tuple[socket.socket, socket.socket]) -> None:
    client, server = connection
    sender = _send(client, _request(BODY) + _request(NEXT_BODY, "/next"))
    cfg = Config()
    parser = RequestParser(cfg, server, ("127.0.0.1", 1))
    first = next(parser)
    _, environ = wsgi.create(first, server, ("127.0.0.1", 1), ("127.0.0.1", 2), cfg)

    body = body_of(environ, len(BODY))
    assert isinstance(body, SocketBody)
    assert _read_all(body, 1024 * 1024) == BODY
    assert body.readinto(memoryview(bytearray(10))) == 0
    assert environ["wsgi.input"].read() == b""  # gunicorn knows the body is gone

    second = next(parser)  # the same connection, kept alive
    assert second.path == "/next"
    assert second.body.read() == NEXT_BODY
    sender.join()


def test_a_body_read_in_small_pieces_is_the_same_body(
        connection: tuple[socket.socket, socket.socket]) -> None:
    client, server = connection
    sender = _send(client, _request(BODY))
    cfg = Config()
    request = next(RequestParser(cfg, server, ("127.0.0.1", 1)))
    _, environ = wsgi.create(request, server, ("127.0.0.1", 1), ("127.0.0.1", 2), cfg)

    assert _read_all(body_of(environ, len(BODY)), 1000) == BODY
    sender.join()


def test_under_another_server_the_body_is_read_from_its_input_stream() -> None:
    environ = {"wsgi.input": io.BytesIO(BODY + b"beyond the declared length")}
    body = body_of(environ, len(BODY))
    assert isinstance(body, StreamBody)
    assert _read_all(body, 1024 * 1024) == BODY
