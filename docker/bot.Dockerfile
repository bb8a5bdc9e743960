# syntax=docker/dockerfile:1.7
# The chatbot: Rasa (target "rasa", with the model trained at build time) and the action
# server (target "actions", only rasa-sdk). Python 3.10: Rasa 3.6 runs on nothing newer.
#   docker build -f docker/bot.Dockerfile --target rasa -t tro-ly-dvc/rasa:0.1.0 .
#   docker build -f docker/bot.Dockerfile --target actions -t tro-ly-dvc/actions:0.1.0 .
FROM python:3.10.15-slim-bookworm AS rasa-build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 RASA_TELEMETRY_ENABLED=false
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY bot/requirements.txt /tmp/requirements.txt
# Rasa's own pins bring psycopg2 (tracker store in PostgreSQL) and redis (lock store).
RUN python -m venv /opt/venv && /opt/venv/bin/pip install "pip<25" \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt
WORKDIR /app
COPY api/__init__.py api/__init__.py
COPY api/text/ api/text/
COPY bot/ bot/
COPY nlu_data/ nlu_data/
COPY data/catalog/ data/catalog/
# The model is part of the image: every replica answers the same way.
RUN PYTHONPATH=/app /opt/venv/bin/python bot/scripts/generate_lookups.py \
    && PYTHONPATH=/app /opt/venv/bin/rasa train --config bot/config.yml --domain bot/domain \
       --data nlu_data/train bot/data --out bot/models --fixed-model-name dvc

FROM python:3.10.15-slim-bookworm AS rasa
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app PYTHONUNBUFFERED=1 RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0 SQLALCHEMY_SILENCE_UBER_WARNING=1
RUN groupadd --system --gid 10001 dvc && useradd --system --uid 10001 --gid dvc --home-dir /app dvc
COPY --from=rasa-build /opt/venv /opt/venv
WORKDIR /app
COPY --from=rasa-build /app/api api
COPY --from=rasa-build /app/bot/components bot/components
COPY --from=rasa-build /app/bot/__init__.py bot/__init__.py
COPY --from=rasa-build /app/bot/credentials.yml bot/credentials.yml
COPY --from=rasa-build /app/bot/models/dvc.tar.gz bot/models/dvc.tar.gz
COPY docker/rasa-endpoints.yml bot/endpoints.yml
USER dvc
EXPOSE 5005
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/status', timeout=2)"]
CMD ["rasa", "run", "--enable-api", "-i", "0.0.0.0", "-p", "5005", "--model", "bot/models/dvc.tar.gz", \
     "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml"]

FROM python:3.10.15-slim-bookworm AS actions
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONPATH=/app PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 dvc && useradd --system --uid 10001 --gid dvc --home-dir /app dvc \
    && pip install "rasa-sdk==3.6.2" "aiohttp==3.9.5"  # the versions the bot's environment is tested with
WORKDIR /app
COPY api/__init__.py api/__init__.py
COPY api/text/ api/text/
COPY bot/__init__.py bot/__init__.py
COPY bot/actions/ bot/actions/
USER dvc
EXPOSE 5055
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=2)"]
CMD ["python", "-m", "rasa_sdk", "--actions", "bot.actions", "-p", "5055"]
