"""The one contract every engine implements: text-to-speech, voice changing, sound effects,
and the cloning and transcription engines to come.

An engine is cheap to construct and tells what it is without loading anything
(:attr:`Engine.info`: id, kind, name, licence, whether it can run here and, when not, how to
make it run). Heavy work happens in :meth:`Engine.load`, once per process however many
threads ask. :meth:`Engine.check` validates a request and returns it with defaults filled
in, raising :class:`audiokit.errors.InvalidInput` with a message a person can act on, before
anything is charged. :meth:`Engine.run` yields :class:`audiokit.Audio` chunks of one take,
so a caller can show progress, cancel between chunks and play the first chunk early; the
chunks joined end to end are the take. Engines know nothing of the product layer above them, nor of the UI.

Adding an engine: one module in ``engines/<kind>/`` with a subclass of :class:`Engine`, and
one line in :data:`engines.registry.ENGINES`.
"""
from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress
from audiokit.errors import Cancelled, EngineUnavailable

KINDS = ("tts", "vc", "sfx", "clone", "asr")


@dataclass(frozen=True)
class EngineInfo:
    """What anyone may know about an engine without loading it."""

    id: str
    kind: str  # one of KINDS
    title: str  # what a person reads in a picker
    licence: str  # of the weights and code it runs
    available: bool
    reason: str = ""  # why it is unavailable and the exact command or setting that fixes it
    device: str = "cpu"


@dataclass(frozen=True)
class Voice:
    id: str  # what the engine is called with, e.g. "af_heart"
    name: str  # what a person reads, e.g. "Heart"
    gender: str  # "female" / "male"
    accent: str  # "American" / "British"
    engine: str  # engine id
    description: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} — {self.gender}, {self.accent}"


@dataclass(frozen=True)
class Setting:
    """One of an engine's own settings (a field of its request), described for a page to draw
    as a slider: name, label, range, default, step and a line of help."""
    name: str
    label: str
    low: float
    high: float
    default: float
    step: float
    help: str = ""

    @property
    def whole(self) -> bool:
        return all(float(v).is_integer() for v in (self.low, self.high, self.default, self.step))


def missing_module(module: str, package: str, fix: str = "Run `make install`.") -> str | None:
    """None when ``module`` can be imported, else which package is missing and the fix."""
    if importlib.util.find_spec(module) is None:
        return f"The Python package {package} is not installed. {fix}"
    return None


class Engine:
    """Base class of every engine; subclasses set the class attributes and override
    :meth:`probe`, :meth:`_load`, :meth:`check` and :meth:`run`."""

    id: str = ""
    kind: str = ""
    title: str = ""
    licence: str = ""
    sample_rate: int = 0
    device: str = "cpu"
    settings: tuple[Setting, ...] = ()  # the engine's own request fields a person may set

    def __init__(self) -> None:
        self._load_lock = threading.Lock()
        self._loaded = False

    # -- what it is, without loading -------------------------------------------------------
    def probe(self) -> str | None:
        """None when the engine can run here; otherwise why not and how to fix it. Cheap."""
        return None

    @property
    def info(self) -> EngineInfo:
        reason = self.probe()
        return EngineInfo(self.id, self.kind, self.title, self.licence, reason is None, reason or "", self.device)

    # -- loading ---------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._loaded

    def load(self) -> "Engine":
        """Load the weights once (thread-safe); EngineUnavailable with the fix when it cannot."""
        if self._loaded:
            return self
        with self._load_lock:
            if not self._loaded:
                reason = self.probe()
                if reason:
                    raise EngineUnavailable(f"{self.title} is unavailable: {reason}")
                self._load()
                self._loaded = True
        return self

    def _load(self) -> None:
        """The heavy part of :meth:`load`; runs at most once."""

    # -- work ----------------------------------------------------------------------------------
    def check(self, request):
        """The request with defaults filled in, or InvalidInput naming the field and the fix."""
        return request

    def run(self, request, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        """Audio chunks of one take of a checked request."""
        raise NotImplementedError


def stop_if(cancel: Cancel | None) -> None:
    """Raise :class:`Cancelled` when the caller asked to stop."""
    if cancel is not None and cancel():
        raise Cancelled()


def render(engine: Engine, request, progress: Progress | None = None, cancel: Cancel | None = None) -> Audio:
    """Check ``request``, run it and join the chunks into one take."""
    chunks = list(engine.load().run(engine.check(request), progress, cancel))
    if not chunks:
        raise RuntimeError(f"{engine.id} returned no audio")
    rate = chunks[0].sample_rate
    return Audio(np.concatenate([c.samples for c in chunks]), rate)
