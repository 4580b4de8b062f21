"""fo_lite.utils."""
