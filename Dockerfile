# nnlive on the CPU: the wheel is built in one stage and installed, with the CPU build of torch, in a
# slim second one (no build tools, no source tree; static/ and templates/ travel inside the wheel).
# Build: docker build -t nnlive .    Run: docker run -p 8000:8000 nnlive
# `--build-arg EXTRAS=pretrained` adds the pretrained transformer for /transformer (91 MB of weights).
# The GPU variant: `--build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128` installs torch's CUDA
# build instead (its wheels bring the CUDA libraries; the host's NVIDIA driver and Container Toolkit do the
# rest); run it with `docker run --gpus all -e NNLIVE_DEVICE=cuda -p 8000:8000 nnlive:gpu`.

FROM python:3.11-slim AS wheel
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY app/ app/
COPY nnlive/ nnlive/
COPY static/ static/
COPY templates/ templates/
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The CPU build of torch by default, pinned as pyproject.toml pins it: PyPI's default wheel would bring
# CUDA (GBs) whether or not there is a GPU. TORCH_INDEX picks another build (the GPU variant above).
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN pip install --no-cache-dir --index-url "${TORCH_INDEX}" torch==2.13.0

# The built wheel (its file name carries the version) with the chosen extras, as a requirements line.
ARG EXTRAS=""
COPY --from=wheel /wheels/ /wheels/
RUN set -- /wheels/nnlive-*.whl \
    && echo "$1${EXTRAS:+[$EXTRAS]}" > /wheels/requirements.txt \
    && pip install --no-cache-dir --requirement /wheels/requirements.txt \
    && rm -rf /wheels \
    && groupadd --gid 10001 nnlive \
    && useradd --uid 10001 --gid nnlive --create-home nnlive \
    && mkdir /data && chown 10001:10001 /data

# Session snapshots (docs/deploying.md, "Restarts"): mount a volume here so sessions outlive the container.
ENV NNLIVE_DATA_DIR=/data
VOLUME /data
USER 10001:10001
WORKDIR /home/nnlive
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["nnlive", "serve", "--host", "0.0.0.0", "--port", "8000"]
