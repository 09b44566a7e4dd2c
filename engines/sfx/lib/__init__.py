"""The parts of the offline sound-effects engine (``engines/sfx/library.py``).

- ``assets``: the CC0 sound libraries and the MiniLM text encoder, fetched from PyPI wheels.
- ``embed``: all-MiniLM-L6-v2 sentence embeddings, run in numpy (no torch).
- ``catalog``: our descriptions and tags of every source (``catalog.toml``) and matching a
  prompt against them by embedding similarity.
- ``prompt``: splitting a prompt into layers and reading intensity, distance, pitch, speed,
  counts and the room from it.
- ``synth``: procedural sound design (rain, wind, fire, thunder, engines, …) and sfxr sounds.
- ``mix``: placing layers, distance and room, fitting to the duration, loops (fades, loudness
  and the limiter come from ``audiokit.dsp``).
"""
