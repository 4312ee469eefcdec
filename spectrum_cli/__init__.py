"""spectrum-cli: manage a Spectrum-style customer account from the shell."""

__version__ = "0.1.0"
