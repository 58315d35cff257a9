"""Fixtures for the media tests: a real filesystem store and a real S3-compatible server (moto)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from media.blobstore import BlobStore, FileBlobStore, S3BlobStore


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_client(s3_endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def s3_store(s3_client: Any) -> S3BlobStore:
    bucket = f"kt1-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket)
    return S3BlobStore(bucket, "photos/originals", client=s3_client)


@pytest.fixture
def file_store(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "media")


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest) -> BlobStore:
    name = "file_store" if request.param == "file" else "s3_store"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]
