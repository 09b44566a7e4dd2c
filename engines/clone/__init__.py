"""Voices of one's own for Kokoro: a style tensor fitted to a clip (:mod:`.kokoro_clone`), or
blended from stock voices (:mod:`.design`), checked clips (:mod:`.clip`) and rendering with a
style that is not a stock voice (:mod:`.render`)."""
