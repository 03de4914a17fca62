"""Pytest fixtures that build and install tiny real Argos packages (filled in by the MT work)."""
