"""nnlive: real PyTorch models streamed live to the browser."""

__version__ = "0.1.0"
