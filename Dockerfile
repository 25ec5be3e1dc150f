# The bot as an image: `docker compose up` (compose.yaml) runs it, or
#   docker build -t rollout-cadence-bot .
#   docker run --env-file .env -p 3000:3000 rollout-cadence-bot            # the Procfile's web
#   docker run --env-file .env rollout-cadence-bot rollout clock           # and its clock
#   docker run --name rollout-demo rollout-cadence-bot rollout demo --quiet   # the demo, no settings;
#   docker cp rollout-demo:/home/rollout/demo-output . && docker rm rollout-demo  # its page, kept
# BASE: any image with python3 (3.11 or later) and its venv module, Debian-like (useradd).
ARG BASE=python:3.12-slim

# Stage 1: the wheel, built from this tree, and the wheels of what it needs (pinned by
# constraints.txt). The only stage that reaches PyPI. Behind a TLS-inspecting proxy, give
# pip its CA bundle as a build secret, which no layer keeps:
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt .
FROM ${BASE} AS build
ARG EXTRAS=demo,mcp
WORKDIR /src
COPY . .
# pip's cache is a cache mount: kept by the builder between builds, in no image.
RUN --mount=type=secret,id=ca --mount=type=cache,target=/root/.cache/pip \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && python3 -m venv /opt/build \
    && /opt/build/bin/pip install --quiet --disable-pip-version-check -c constraints.txt --upgrade pip \
    && /opt/build/bin/pip wheel --quiet --disable-pip-version-check --wheel-dir /wheels -c constraints.txt ".[${EXTRAS}]"

# Stage 2: a fresh base with the wheels installed (no network, no compiler, no sources),
# run by a user who is not root, in its home (the demo's output; SQLite's default file).
# scipy (the judgement's intervals), numpy (scipy's) and matplotlib (the digest's charts)
# are run-time dependencies and most of the image: about 110, 55 and 90 MB installed
# (matplotlib with Pillow, fontTools and kiwisolver), once their own test suites (about
# 50 MB) are left out. Built by .ci/container on Debian's bookworm (176 MB): 577 MB.
FROM ${BASE}
ARG EXTRAS=demo,mcp
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python3 -m venv /opt/rollout \
    && /opt/rollout/bin/pip install --quiet --no-cache-dir --disable-pip-version-check --no-index \
        --find-links /wheels "rollout-cadence-bot[${EXTRAS}]" \
    && for package in scipy numpy matplotlib; do \
        find /opt/rollout/lib/python3*/site-packages/$package -depth -type d -name tests -exec rm -rf {} +; \
    done \
    && useradd --uid 10001 --user-group --create-home --home-dir /home/rollout --shell /usr/sbin/nologin rollout
ENV PATH=/opt/rollout/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=3000
USER 10001:10001
WORKDIR /home/rollout
EXPOSE 3000
# 200 while the database answers and Slack has not refused the token (bot/healthz.py). An
# image built in the OCI format (buildah's and podman's default) drops HEALTHCHECK: build
# with --format docker, or rely on compose.yaml's, which declares the same for `web`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
# The Procfile's web (WEB_CONCURRENCY: `rollout web --workers N`); compose.yaml runs its clock and release too.
CMD ["rollout", "web"]
