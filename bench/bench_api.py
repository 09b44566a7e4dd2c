"""HTTP API figures (issue 11). Writes bench/results/api.json.

The real server (serve.py, as `make run` starts it) on 127.0.0.1 with its own data folder,
called with httpx the way the official clients call it:
- first_byte: time from sending POST /v1/audio/speech (2,000 characters of ordinary prose,
  PCM) to the first audio byte, median of 5;
- total.ratio_to_in_process: the same text through the API to the last byte ÷ through a
  Studio in this process (submit and wait), alternating, median of 3 each;
- concurrent: 8 clients at once, each a short text; failures and the p95 of first bytes.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.common import text_of, write


def _first_and_total(url: str, key: str, text: str, voice: str = "af_heart") -> tuple[float, float]:
    start = time.perf_counter()
    first = None
    with httpx.stream("POST", url + "/v1/audio/speech", headers={"Authorization": f"Bearer {key}"}, timeout=900,
                      json={"model": "kokoro", "input": text, "voice": voice, "response_format": "pcm"}) as r:
        r.raise_for_status()
        for chunk in r.iter_bytes():
            if chunk and first is None:
                first = time.perf_counter() - start
    return first, time.perf_counter() - start


def main(runs: int = 5) -> Path:
    from studio import apikeys, credits
    from studio.config import Settings
    from studio.core import Studio
    from studio.db import connect
    from tests import servers

    text = text_of(2000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    server = servers.start_app(tmp / "server")
    local = Studio(Settings(data_dir=tmp / "local", starting_credits=10**9))
    try:
        db = connect(server.data_dir / "studio.db")
        credits.ensure_user(db, "bench", 10**9)
        key = apikeys.create(db, "bench", "bench")[1]
        _first_and_total(server.url, key, "Warm up the voice.")
        local.wait("bench", local.submit_tts("bench", "Warm up the voice.", "af_heart")[0])

        firsts = [_first_and_total(server.url, key, text)[0] for _ in range(runs)]
        api_totals, local_totals = [], []
        for _ in range(3):
            api_totals.append(_first_and_total(server.url, key, text)[1])
            start = time.perf_counter()
            row = local.wait("bench", local.submit_tts("bench", text, "af_heart")[0], timeout=900)
            assert row["status"] == "completed", row["error"]
            local_totals.append(time.perf_counter() - start)

        results: list[tuple[float | None, str | None]] = []

        def client(i: int) -> None:
            try:
                first, _ = _first_and_total(server.url, key, f"Client {i} asks for this short sentence to be read.")
                results.append((first, None))
            except Exception as error:  # noqa: BLE001 — counted as a failure
                results.append((None, repr(error)))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        ok = sorted(f for f, e in results if e is None)
        p95 = ok[min(len(ok) - 1, int(round(0.95 * (len(ok) - 1))))] if ok else None
        data = {
            "text_chars": len(text),
            "first_byte": {"seconds": [round(x, 3) for x in firsts], "median_seconds": round(statistics.median(firsts), 3),
                           "goal_seconds": 1.5},
            "total": {"api_seconds": [round(x, 3) for x in api_totals], "in_process_seconds": [round(x, 3) for x in local_totals],
                      "ratio_to_in_process": round(statistics.median(api_totals) / statistics.median(local_totals), 3),
                      "goal_ratio": 1.05},
            "concurrent": {"clients": 8, "failed": sum(1 for _, e in results if e), "errors": [e for _, e in results if e],
                           "first_byte_p95_seconds": None if p95 is None else round(p95, 3)},
            "load_average": round(os.getloadavg()[0], 2),
            "method": "httpx against serve.py on 127.0.0.1 (pages and API in one process), PCM responses",
        }
        print(f"first byte median {data['first_byte']['median_seconds']} s; ratio {data['total']['ratio_to_in_process']}; "
              f"concurrent failed {data['concurrent']['failed']}", file=sys.stderr)
        return write("api", data)
    finally:
        local.shutdown()
        server.stop()


if __name__ == "__main__":
    print(main())
