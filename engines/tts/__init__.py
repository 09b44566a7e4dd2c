"""Text-to-speech engines: one module per backend; ``common`` and ``text`` are shared by all."""
