"""A real S3-protocol server for the object-storage tests (issue 14), as a pytest plugin.

With `S3_TEST_URL` (`http://[KEY:SECRET@]host:port`, what `.ci/run` exports for the server it starts)
the tests use that server; without it the first test that needs one starts `moto_server` — a separate
process speaking S3 over HTTP on a free loopback port — and stops it when the session ends. Each xdist
worker is its own session: its own server, or, on a shared server, its own buckets (one per test).

Fixtures: `s3_endpoint` (the server), `s3_bucket` (a fresh bucket, emptied and removed after the test),
`s3_storage` (the portal's default storage switched to that bucket through STORAGE_URL's own parser).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

TEST_KEY = "metodset-test"
TEST_SECRET = "metodset-test-secret"
START_SECONDS = 30


@dataclass(frozen=True)
class S3Endpoint:
    url: str  # http://host:port
    access_key: str
    secret_key: str

    def storage_url(self, bucket: str) -> str:
        """This server and `bucket` written as the portal's STORAGE_URL."""
        parts = urlsplit(self.url)
        secure = "1" if parts.scheme == "https" else "0"
        credentials = f"{quote(self.access_key, safe='')}:{quote(self.secret_key, safe='')}@"
        return f"s3://{credentials}{parts.netloc}/{bucket}?secure={secure}"

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def moto_server_command() -> str:
    """The `moto_server` console script of this virtualenv (or of PATH)."""
    beside = Path(sys.executable).with_name("moto_server")
    if beside.exists():
        return str(beside)
    found = shutil.which("moto_server")
    if not found:
        raise RuntimeError("moto_server is not installed (pip install 'moto[server]')")
    return found


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means it listens
    except OSError:
        return False


def start_moto_server(log_path: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start moto_server on a free loopback port; return the process and its URL once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [moto_server_command(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited with {proc.returncode} before answering")
        if answers(url):
            return proc, url
        time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"moto_server did not answer on {url} in {START_SECONDS} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def endpoint_from_env(value: str) -> S3Endpoint:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RuntimeError(f"S3_TEST_URL must be http(s)://[KEY:SECRET@]host:port, not {value!r}")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return S3Endpoint(
        url=f"{parts.scheme}://{netloc}",
        access_key=parts.username or TEST_KEY,
        secret_key=parts.password or TEST_SECRET,
    )


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    given = os.environ.get("S3_TEST_URL", "").strip()
    if given:
        yield endpoint_from_env(given)
        return
    proc, url = start_moto_server(tmp_path_factory.mktemp("moto") / "moto_server.log")
    try:
        yield S3Endpoint(url=url, access_key=TEST_KEY, secret_key=TEST_SECRET)
    finally:
        stop(proc)


def empty_and_remove(client, bucket: str) -> None:
    with contextlib.suppress(Exception):
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)


@pytest.fixture
def s3_bucket(s3_endpoint):
    client = s3_endpoint.client()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"metodset-{worker}-{uuid.uuid4().hex[:12]}".lower()
    client.create_bucket(Bucket=name)
    try:
        yield name
    finally:
        empty_and_remove(client, name)


@pytest.fixture
def s3_storage(settings, s3_endpoint, s3_bucket):
    """The portal's default storage is the object store (STORAGE_URL parsed as in production)."""
    from network.storage import parse_storage_url

    settings.STORAGES = {**settings.STORAGES, "default": parse_storage_url(s3_endpoint.storage_url(s3_bucket))}
    client = s3_endpoint.client()

    def keys() -> list[str]:
        found = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=s3_bucket):
            found += [item["Key"] for item in page.get("Contents", [])]
        return found

    class Store:
        endpoint = s3_endpoint
        bucket = s3_bucket

    Store.client = client
    Store.object_keys = staticmethod(keys)
    return Store
