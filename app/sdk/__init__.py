"""The nnlive Python SDK: stream your own model's activations, gradients and scalars to /inspect.

from app import sdk
with sdk.connect() as run:          # or sdk.connect("http://host:8000")
    run.watch(model)
    for step in ...:
        ...
        run.log(loss=loss)
"""

from app.sdk.run import Run, connect

__all__ = ["Run", "connect"]
