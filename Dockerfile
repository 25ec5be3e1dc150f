# The bot as an image: `docker compose up` (compose.yaml) runs it, or
#   docker build -t rollout-cadence-bot .
#   docker run --env-file .env -p 3000:3000 rollout-cadence-bot            # the Procfile's web
#   docker run --env-file .env rollout-cadence-bot rollout clock           # and its clock
# These two share a database only if .env sets DATABASE_URL to a PostgreSQL both reach (and
# `rollout db upgrade` ran against it once): .env.example leaves it commented, and then each
# container has a SQLite file of its own, in its own home, which only `rollout db upgrade`
# makes (web and clock each refuse to start without it). compose.yaml gives them one.
#   docker run --name rollout-demo rollout-cadence-bot rollout demo --quiet   # the demo, no settings;
#   docker cp rollout-demo:/home/rollout/demo-output . && docker rm rollout-demo  # its page, kept
# BASE: any image with python3 (3.11 or later) and its venv module, Debian-like (useradd).
ARG BASE=python:3.12-slim

# Stage 1: the dependencies installed in the venv the image runs (/opt/rollout), and the
# project's own wheel, built from this tree. The only stage that reaches PyPI. Behind a
# TLS-inspecting proxy, give pip its CA bundle as a build secret, which no layer keeps:
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt .
FROM ${BASE} AS build
ARG EXTRAS=demo,mcp
WORKDIR /src
# The dependencies first, in a layer of their own: which they are depends only on
# pyproject.toml (what the package needs) and constraints.txt (which versions), so a change to
# the source installs none of them again (.ci/container builds with --layers). pip resolves
# them as it would for the tree, from a package that is pyproject.toml alone (an empty README
# and LICENSE for its metadata), whose own wheel is left out. scipy (the judgement's
# intervals), numpy (scipy's) and matplotlib (the digest's charts) are run-time dependencies
# and most of the image: about 110, 55 and 90 MB installed (matplotlib with Pillow, fontTools
# and kiwisolver), once their own test suites (about 50 MB) are left out.
COPY pyproject.toml constraints.txt ./
# pip's cache is a cache mount: kept by the builder between builds, in no image.
RUN --mount=type=secret,id=ca --mount=type=cache,target=/root/.cache/pip \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && python3 -m venv /opt/build \
    && /opt/build/bin/pip install --quiet --disable-pip-version-check -c constraints.txt --upgrade pip \
    && touch README.md LICENSE \
    && /opt/build/bin/pip wheel --quiet --disable-pip-version-check --wheel-dir /wheels -c constraints.txt ".[${EXTRAS}]" \
    && rm README.md LICENSE /wheels/rollout_cadence_bot-*.whl \
    && python3 -m venv /opt/rollout \
    && /opt/rollout/bin/pip install --quiet --no-cache-dir --disable-pip-version-check --no-index /wheels/*.whl \
    && for package in scipy numpy matplotlib; do \
        find /opt/rollout/lib/python3*/site-packages/$package -depth -type d -name tests -exec rm -rf {} +; \
    done
# Then the source, and the project's own wheel alone, in /dist.
COPY . .
RUN --mount=type=secret,id=ca --mount=type=cache,target=/root/.cache/pip \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && /opt/build/bin/pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir /dist -c constraints.txt .

# Stage 2: a fresh base with the venv copied in (no network, no compiler, no sources), run by
# a user who is not root, in its home (the demo's output; SQLite's default file). What it
# takes from stage 1 it COPYs: Debian's buildah 1.28 does not mount a stage it found in its
# cache (RUN --mount=type=bind,from=build saw an empty directory on a second build). Built by
# .ci/container on Debian's bookworm (176 MB): about 580 MB.
FROM ${BASE}
ARG EXTRAS=demo,mcp
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/rollout --shell /usr/sbin/nologin rollout
# The dependencies in a layer of their own, the project's wheel (about 1 MB) in the next,
# installed with no dependency of its own left to install and no index to reach.
COPY --from=build /opt/rollout /opt/rollout
COPY --from=build /dist /tmp/dist
RUN /opt/rollout/bin/pip install --quiet --no-cache-dir --disable-pip-version-check --no-index \
        --find-links /tmp/dist "rollout-cadence-bot[${EXTRAS}]" \
    && rm -rf /tmp/dist
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
