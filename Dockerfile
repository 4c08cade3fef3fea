# One image for every part of the single window; docker-compose.yml gives each its command.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SW_DATA_DIR=/data

WORKDIR /app

# The pinned dependencies first, in their own layer (rebuilt only when pyproject changes).
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin sw \
    && mkdir -p /data \
    && chown sw /data

USER sw
EXPOSE 8000 8001 8002 8003 8004
CMD ["singlewindow", "--help"]
