"""govmon: monitor Chinese government websites against the official inspection indicators."""

__version__ = "0.1.0"
