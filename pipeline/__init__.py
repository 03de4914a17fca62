"""Translation pipeline: English sources → gettext PO → Argos MT → human review → editions."""

__version__ = "0.1.0"
