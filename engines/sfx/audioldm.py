"""AudioLDM (CLAP-conditioned latent diffusion with a HiFi-GAN vocoder) through diffusers.

A hub-backed engine: usable only when a complete diffusers pipeline folder is on this
machine — the Hugging Face cache entry of ``STUDIO_AUDIOLDM_MODEL`` (default
``cvssp/audioldm-s-full-v2``) or a local folder named by that variable. Fetch one with
``python -m engines.sfx.audioldm download [REPO]`` where the hub can be reached (about 1 GB, with
progress); here no weights are installable, so the registry shows it as unavailable with
those instructions. AudioLDM2 folders load through the same code: ``DiffusionPipeline``
picks the class from ``model_index.json``.

torch, diffusers and transformers are optional (``requirements-audioldm.txt``); nothing
here imports them until the engine is loaded. Tests build a tiny, randomly initialised
pipeline, save it to a folder and load it through :class:`AudioLDMEngine` — the same code.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import secrets
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress, dsp
from audiokit.errors import InvalidInput
from engines.contract import Engine, stop_if
from engines.hub import progress_tqdm
from engines.sfx.common import SFXRequest, check_numbers, check_prompt, check_take, english_vocabulary, take_of

log = logging.getLogger(__name__)

DEFAULT_REPO = "cvssp/audioldm-s-full-v2"
DEFAULT_STEPS, DEFAULT_GUIDANCE = 100, 3.0
STEPS_MIN, STEPS_MAX = 1, 500
GUIDANCE_MIN, GUIDANCE_MAX = 0.0, 20.0
TRAINED_SECONDS = 10.24  # AudioLDM was trained on 10.24 s clips
PIPELINES = ("AudioLDMPipeline", "AudioLDM2Pipeline")
MODEL_PARTS = ("unet", "vae", "text_encoder", "text_encoder_2", "vocoder", "projection_model", "language_model")
INSTALL = "pip install -r requirements-audioldm.txt"


def model_setting() -> str:
    return os.environ.get("STUDIO_AUDIOLDM_MODEL", DEFAULT_REPO)


def find_weights(model: str | os.PathLike | None = None) -> Path | None:
    """The pipeline folder for ``model`` (a folder, or a hub repo id in the local cache); None if absent."""
    model = str(model or model_setting())
    if Path(model).is_dir():
        return Path(model)
    if importlib.util.find_spec("huggingface_hub") is None:
        return None
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(model, local_files_only=True))
    except Exception:  # not in the cache (the hub raises several kinds here)
        return None


def missing_parts(folder: Path) -> list[str]:
    """What a diffusers pipeline folder lacks to be loaded (empty when complete)."""
    index = folder / "model_index.json"
    if not index.exists():
        return ["model_index.json"]
    spec = json.loads(index.read_text())
    if spec.get("_class_name") not in PIPELINES:
        return [f"a pipeline of class {' or '.join(PIPELINES)} (model_index.json names {spec.get('_class_name')!r})"]
    missing = []
    for part, value in spec.items():
        if part.startswith("_") or not isinstance(value, list) or value[0] is None:
            continue
        where = folder / part
        if part in MODEL_PARTS:
            if not (where / "config.json").exists():
                missing.append(f"{part}/config.json")
            if not any(where.glob("*.safetensors")) and not any(where.glob("*.bin")):
                missing.append(f"{part} weights")
        elif part == "scheduler" and not (where / "scheduler_config.json").exists():
            missing.append("scheduler/scheduler_config.json")
        elif part.startswith("tokenizer") and not any((where / f).exists() for f in ("tokenizer.json", "vocab.json", "spiece.model")):
            missing.append(f"{part} vocabulary")
    return missing


def probe(model: str | os.PathLike | None = None) -> str | None:
    """None when AudioLDM (``model``, default the setting) can run here; else why not and how to get it."""
    for module in ("torch", "diffusers", "transformers"):
        if importlib.util.find_spec(module) is None:
            return f"The Python package {module} is not installed. Run `{INSTALL}`."
    folder = find_weights(model)
    if folder is None:
        return (f"No AudioLDM weights on this machine ({model or model_setting()}). Where the Hugging Face Hub can be "
                f"reached, run `python -m engines.sfx.audioldm download` (about 1 GB), or set STUDIO_AUDIOLDM_MODEL to a "
                "folder holding a diffusers AudioLDM pipeline.")
    missing = missing_parts(folder)
    if missing:
        return f"The AudioLDM folder {folder} is incomplete (missing {', '.join(missing[:4])}). Download it again."
    return None


def download(repo: str | None = None, progress: Progress | None = None) -> Path:
    """Fetch the pipeline into the standard Hugging Face cache (resumable), with progress."""
    from huggingface_hub import snapshot_download

    repo = repo or model_setting()
    kwargs = {"tqdm_class": progress_tqdm(progress, "AudioLDM")} if progress else {}
    path = Path(snapshot_download(repo, allow_patterns=["*.json", "*.txt", "*.model", "*.safetensors"], **kwargs))
    missing = missing_parts(path)
    if missing:  # some repositories only have .bin weights
        path = Path(snapshot_download(repo, allow_patterns=["*.json", "*.txt", "*.model", "*.bin"], **kwargs))
    return path


class AudioLDMEngine(Engine):
    id = "audioldm"
    kind = "sfx"
    title = "AudioLDM — neural text-to-audio (needs downloaded weights)"
    licence = "CC-BY-NC-SA-4.0 (AudioLDM weights, non-commercial)"
    # sample_rate is the vocoder's, known once loaded

    def __init__(self, model: str | os.PathLike | None = None, device: str | None = None):
        super().__init__()
        self._model = model  # None: the STUDIO_AUDIOLDM_MODEL setting, read when probed or loaded
        self._device = device  # None: cuda when available, else cpu
        if device:
            self.device = device
        self._pipe_lock = threading.Lock()  # a pipeline's scheduler keeps per-call state
        self.pipe = None
        self.min_seconds = 0.0

    @property
    def model(self) -> str:
        return str(self._model or model_setting())

    def probe(self) -> str | None:
        return probe(self._model)

    def _load(self) -> None:
        import torch
        from diffusers import DiffusionPipeline

        folder = find_weights(self._model)
        device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
        half = {"torch_dtype": torch.float16} if device.startswith("cuda") else {}  # float32 is the default
        pipe = DiffusionPipeline.from_pretrained(str(folder), local_files_only=True, **half)
        pipe.to(device)
        pipe.set_progress_bar_config(disable=True)
        self.sample_rate = int(pipe.vocoder.config.sampling_rate)
        upsample = float(np.prod(pipe.vocoder.config.upsample_rates)) / self.sample_rate
        self.min_seconds = upsample * pipe.vae_scale_factor
        self.device, self.pipe = device, pipe
        log.info("AudioLDM ready: %s (%s) on %s, %d Hz", folder, type(pipe).__name__, device, self.sample_rate)

    def check(self, request: SFXRequest) -> SFXRequest:
        """The request with its plan (settings filled in, seeds per variation); InvalidInput naming a bad field.

        Every field is checked before the pipeline is loaded; the plan then records the
        vocoder's rate and the device, so it loads the engine."""
        if request.plan is not None:
            return request
        text, notices = check_prompt(request.prompt, english_vocabulary())
        duration, variations, seed = check_numbers(request.duration, request.variations, request.seed)
        check_take(request.take, variations)
        steps = DEFAULT_STEPS if request.steps is None else request.steps
        if isinstance(steps, bool) or not isinstance(steps, int) or not STEPS_MIN <= steps <= STEPS_MAX:
            raise InvalidInput("steps", f"Steps must be a whole number {STEPS_MIN}–{STEPS_MAX}, got {steps!r}.")
        guidance = DEFAULT_GUIDANCE if request.guidance is None else request.guidance
        if isinstance(guidance, bool) or not isinstance(guidance, (int, float)) or not np.isfinite(guidance) \
                or not GUIDANCE_MIN <= guidance <= GUIDANCE_MAX:
            raise InvalidInput("guidance", f"Guidance must be {GUIDANCE_MIN:g}–{GUIDANCE_MAX:g}, got {guidance!r}.")
        negative = (request.negative_prompt or "").strip() or None
        if negative is not None:
            negative, _ = check_prompt(negative)
        notices = list(notices)
        if duration > TRAINED_SECONDS:
            notices.append(f"AudioLDM was trained on {TRAINED_SECONDS} s clips; at {duration:g} s it may lose coherence.")
        seed = secrets.randbelow(2**32) if seed is None else seed
        self.load()
        plan = {
            "engine": self.id, "model": self.model, "prompt": text, "negative_prompt": negative, "steps": steps,
            "guidance": float(guidance), "duration": duration, "loop": bool(request.loop), "seed": seed,
            "sample_rate": self.sample_rate, "device": self.device, "room": None, "layers": [],
            "variations": [{"seed": (seed + v) % 2**32} for v in range(variations)], "notices": notices,
        }
        return replace(request, plan=plan)

    def run(self, request: SFXRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        """The variation ``request.take`` of the request's plan, as one chunk; progress per diffusion step."""
        import torch

        from engines.sfx.lib import mix

        if request.plan is None:
            request = self.check(request)
        variation = take_of(request, self.id)
        self.load()
        plan = request.plan
        duration, steps = plan["duration"], plan["steps"]
        length = dsp.seconds_to_samples(duration, self.sample_rate)
        crossfade = dsp.seconds_to_samples(min(1.0, duration / 4), self.sample_rate) if plan["loop"] else 0
        seconds = max((length + crossfade) / self.sample_rate, self.min_seconds)

        def on_step(step: int, timestep, latents) -> None:
            stop_if(cancel)
            if progress:
                progress((step + 1) / steps, f"step {step + 1} of {steps}")

        stop_if(cancel)
        generator = torch.Generator(device="cpu").manual_seed(variation["seed"])
        with self._pipe_lock, torch.inference_mode():
            result = self.pipe(
                plan["prompt"], negative_prompt=plan["negative_prompt"], num_inference_steps=steps,
                guidance_scale=plan["guidance"], audio_length_in_s=seconds, generator=generator,
                callback=on_step, callback_steps=1, output_type="np",
            )
        samples = np.asarray(result.audios[0], dtype=np.float32)
        samples = mix.fit(samples, self.sample_rate, length + crossfade)
        if plan["loop"]:
            samples = mix.make_loop(samples, length)
        else:
            samples = dsp.fade(samples, self.sample_rate, 0.003, min(0.1, duration / 10))
        samples, _ = dsp.normalize(samples, self.sample_rate, mix.TARGET_LUFS)
        if progress:
            progress(1.0, "Done")
        yield Audio(samples, self.sample_rate)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if len(argv) >= 1 and argv[0] == "download":
        path = download(argv[1] if len(argv) > 1 else None, lambda f, m: log.info("%3.0f%% %s", 100 * f, m))
        log.info("AudioLDM pipeline ready in %s", path)
        return 0
    log.info("usage: python -m engines.sfx.audioldm download [REPO]   (default %s)\n%s", model_setting(), probe() or "AudioLDM is available.")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
