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
