"""fo_lite.core."""
