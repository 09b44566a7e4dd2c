"""What the hub-backed engines share for downloads from the Hugging Face Hub."""
from __future__ import annotations

from audiokit import Progress


def progress_tqdm(progress: Progress, what: str = "weights"):
    """A tqdm class for huggingface_hub's ``tqdm_class`` that reports download progress to ``progress``."""
    from tqdm.auto import tqdm

    class ProgressTqdm(tqdm):
        def update(self, n=1):
            result = super().update(n)
            if self.total:
                progress(min(self.n / self.total, 1.0),
                         f"Downloading {self.desc or what}: {self.n / 2**20:.0f} of {self.total / 2**20:.0f} MB")
            return result

    return ProgressTqdm


def weights_cli(name: str, usage: str, probe, download, argv: list[str] | None = None) -> int:
    """``status`` / ``download`` for a hub-backed engine's ``python -m`` entry point.

    ``download(args, progress)`` fetches the weights (``args``: the words after the command)."""
    import logging
    import sys

    log = logging.getLogger(name)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = list(sys.argv[1:] if argv is None else argv) or ["status"]
    if args[0] == "download":
        paths = download(args[1:], lambda f, m: log.info("%3.0f%% %s", 100 * f, m))
        log.info("%d files ready", len(paths))
        return 0
    if args[0] == "status":
        reason = probe()
        log.info("%s: %s", name, "ready" if reason is None else reason)
        return 0 if reason is None else 1
    log.error("usage: %s", usage)
    return 2
