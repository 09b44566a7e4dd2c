"""Where generated and uploaded audio is kept: a local folder (default) or an S3 bucket.

Object keys are made here from the user, the service and the job id, never from a name a
person typed or a file they uploaded. A key is checked against that pattern on every call,
so a hostile key cannot walk out of the data folder or into another user's prefix.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Iterator, Protocol

from studio.config import Settings, StorageSettings
from studio.errors import NotFound, StorageUnavailable

log = logging.getLogger(__name__)

_KEY = re.compile(r"^u/[0-9a-f]{16}/(tts|vc|sfx|voices)/[0-9a-f]{32}/[a-z0-9_-]{1,40}\.(wav|mp3|json)$")


def user_prefix(user_id: str) -> str:
    """Users are stored under a hash of their name: no odd characters in keys, no names in URLs."""
    return "u/" + hashlib.sha256(user_id.encode()).hexdigest()[:16]


def make_key(user_id: str, service: str, item_id: str, name: str, ext: str = "wav") -> str:
    key = f"{user_prefix(user_id)}/{service}/{item_id}/{name}.{ext}"
    check_key(key)
    return key


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.match(key):
        raise NotFound(f"No such audio object: {key!r}")
    return key


def owns(user_id: str, key: str) -> bool:
    return check_key(key).startswith(user_prefix(user_id) + "/")


def is_key(key: str) -> bool:
    return isinstance(key, str) and bool(_KEY.match(key))


def key_item(key: str) -> tuple[str, str]:
    """(service, item id) of a key: the job (or voice sample) it belongs to."""
    parts = check_key(key).split("/")
    return parts[2], parts[3]


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str = "audio/wav") -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None:
        """Remove the object; removing one that is not there is not an error."""
    def playback_url(self, key: str) -> str | None:
        """A URL a browser can play from directly, or None when the caller must serve the bytes."""
    def list_keys(self) -> Iterator[tuple[str, float]]:
        """Every object as (key, last modified as a Unix time), for the sweep."""
    def check(self) -> None:
        """Raise StorageUnavailable (with the fix) when the store cannot be reached or written."""


_LOCAL_HELP = "Check that the data folder exists, is writable and has free space."
_S3_HELP = ("Check that the S3 server is running and reachable from the studio, and the storage settings "
            "(endpoint, bucket, credentials) in studio.toml; details are in the studio's log.")


def _local_error(action: str, error: OSError) -> StorageUnavailable:
    log.warning("local storage: could not %s: %s", action, error)
    if error.errno == errno.ENOSPC:
        return StorageUnavailable(f"Could not {action}: the disk holding the studio's data is full. "
                                  "Free some space on it, then try again.")
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageUnavailable(f"Could not {action}: the data folder is not writable. {_LOCAL_HELP}")
    return StorageUnavailable(f"Could not {action} ({error.strerror or type(error).__name__}). {_LOCAL_HELP}")


class LocalStorage:
    """Files under ``root``; writes are atomic (temporary file, then rename)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str = "audio/wav") -> None:
        path = self._path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError as error:
            if tmp:
                Path(tmp).unlink(missing_ok=True)
            raise _local_error("write audio", error) from error

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as error:
            raise NotFound(f"No such audio object: {key}") from error
        except OSError as error:
            raise _local_error("read audio", error) from error

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as error:
            raise _local_error("delete audio", error) from error
        for parent in list(self._path(key).parents)[:3]:  # tidy the now empty job folder
            try:
                parent.rmdir()
            except OSError:
                break

    def playback_url(self, key: str) -> str | None:
        return None

    def list_keys(self) -> Iterator[tuple[str, float]]:
        if not self.root.exists():
            return
        for path in self.root.rglob("*"):
            if path.is_file():
                key = path.relative_to(self.root).as_posix()
                if is_key(key):
                    yield key, path.stat().st_mtime

    def remove_partial_writes(self, min_age: float) -> int:
        """Delete ``*.part`` files a crash left behind mid-write (older than ``min_age`` seconds)."""
        removed = 0
        if not self.root.exists():
            return 0
        for path in self.root.rglob("*.part"):
            try:
                if time.time() - path.stat().st_mtime >= min_age:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                pass
        return removed

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=self.root, suffix=".part")
            os.close(fd)
            os.unlink(probe)
        except OSError as error:
            raise _local_error("write to the audio folder", error) from error


class S3Storage:
    """AWS S3 or any S3-compatible server (MinIO, SeaweedFS) through boto3, path-style addressing."""

    def __init__(self, settings: StorageSettings):
        import boto3
        from botocore.config import Config

        self.settings = settings
        self.bucket = settings.bucket
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=settings.connect_timeout,
            read_timeout=max(settings.connect_timeout, 30),
            retries={"max_attempts": settings.retries, "mode": "standard"},
        )
        kwargs = dict(
            region_name=settings.region,
            aws_access_key_id=settings.access_key,
            aws_secret_access_key=settings.secret_key,
            config=config,
        )
        self.client = boto3.client("s3", endpoint_url=settings.endpoint_url, **kwargs)
        public = settings.public_endpoint_url or settings.endpoint_url
        self._signer = self.client if public == settings.endpoint_url else boto3.client("s3", endpoint_url=public, **kwargs)
        self._bucket_ready = False

    def _fail(self, action: str, error: Exception) -> StorageUnavailable:
        # The endpoint, keys and the server's own words go to the log, never to the person.
        log.warning("S3 %s failed (bucket %r at %s): %s", action, self.bucket, self.settings.endpoint_url or "AWS S3",
                    error)
        return StorageUnavailable(f"Could not {action} the audio store (S3). {_S3_HELP}")

    def ensure_bucket(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        if self._bucket_ready:
            return
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise self._fail("reach", error) from error
            try:
                self.client.create_bucket(Bucket=self.bucket)
            except (BotoCoreError, ClientError) as create_error:
                self._fail("create the bucket in", create_error)
                raise StorageUnavailable(
                    "The S3 bucket for audio does not exist and could not be created. Create it, or let the "
                    "studio's credentials create buckets, or fix the bucket name in studio.toml.") from create_error
        except BotoCoreError as error:
            raise self._fail("reach", error) from error
        self._bucket_ready = True

    def put(self, key: str, data: bytes, content_type: str = "audio/wav") -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        check_key(key)
        self.ensure_bucket()
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except (BotoCoreError, ClientError) as error:
            raise self._fail("write audio to", error) from error

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        check_key(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound(f"No such audio object: {key}") from error
            raise self._fail("read audio from", error) from error
        except BotoCoreError as error:
            raise self._fail("read audio from", error) from error

    def delete(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        check_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as error:
            raise self._fail("delete audio from", error) from error

    def playback_url(self, key: str) -> str | None:
        check_key(key)
        return self._signer.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.settings.presign_seconds
        )

    def list_keys(self) -> Iterator[tuple[str, float]]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix="u/"):
                for item in page.get("Contents", []):
                    if is_key(item["Key"]):
                        yield item["Key"], item["LastModified"].timestamp()
        except (BotoCoreError, ClientError) as error:
            raise self._fail("list the objects in", error) from error

    def remove_partial_writes(self, min_age: float) -> int:
        return 0  # an S3 PUT is all or nothing

    def check(self) -> None:
        self._bucket_ready = False
        self.ensure_bucket()


def from_settings(settings: Settings) -> Storage:
    if settings.storage.backend == "s3":
        return S3Storage(settings.storage)
    return LocalStorage(settings.data_dir / "objects")
