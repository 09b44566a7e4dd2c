"""Helpers shared by the benchmarks: timing, the machine, writing results."""
from __future__ import annotations

import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

PARAGRAPH = (
    "The harbour was quiet in the early morning, and the fishing boats rocked gently against the pier. "
    "A few gulls circled overhead, calling to each other as the first light touched the water. "
    "By seven o'clock the market stalls were open, and the smell of fresh bread drifted down the street. "
    "Old Mr. Turner, who had sold newspapers on the same corner for forty-two years, waved to everyone who passed. "
    "Nobody could remember a morning when he had not been there, rain or shine, with a joke for each customer. "
)


def text_of(chars: int) -> str:
    text = ""
    while len(text) < chars:
        text += PARAGRAPH
    cut = text[:chars]
    return cut[: cut.rfind(".") + 1] if "." in cut else cut


def machine() -> dict:
    import onnxruntime

    return {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "onnxruntime": onnxruntime.__version__, "providers": onnxruntime.get_available_providers()}


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def write(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(), **data}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
