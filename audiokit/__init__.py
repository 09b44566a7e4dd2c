"""The leaf every layer shares: the audio buffer, DSP steps, encoding, upload decoding, errors.

Nothing here knows of users, credits, storage or models, and nothing here imports the
``engines`` or ``studio`` packages (or streamlit). One implementation of each DSP step
lives in :mod:`audiokit.dsp`; call it, don't copy it.
"""
from audiokit.audio import Audio, Cancel, Progress

__all__ = ["Audio", "Cancel", "Progress"]
