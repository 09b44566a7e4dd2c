"""The parts of the offline sound-effects engine (``engines/sfx/library.py``).

- ``assets``: the CC0 sound libraries and the MiniLM text encoder, fetched from PyPI wheels.
- ``embed``: all-MiniLM-L6-v2 sentence embeddings, run in numpy (no torch).
- ``catalog``: our descriptions and tags of every source (``catalog.toml``: 44 everyday
  categories and more, each source a bed, a repeating sound or an event, with its licence),
  the known gaps, and matching a prompt against them by embedding similarity.
- ``prompt``: splitting a prompt into layers and reading intensity, distance, pitch, speed,
  counts and the room from it.
- ``synth``: procedural sound design — modal synthesis (knocks, doors, bells, glass, ticks,
  keys), noise shaping (crowds, applause, water, wind, paper, cloth), engine and rotor
  models — repeating patterns with natural variation, and sfxr sounds.
- ``mix``: stereo placement and width, distance and room, fitting to the duration, loops with
  their seam on a steady spot (fades, loudness and the limiter come from ``audiokit.dsp``).
"""
