# Trợ lý DVC — the two commands of the README:
#   make run    set everything up and run the assistant at http://127.0.0.1:8000
#   make test   set everything up and run the whole test suite
# Both are idempotent: environments are rebuilt only when their requirements change,
# and the chatbot's model is retrained only when its data, domain or config changed.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BOT_VENV := .venv-bot
BOT_PY := $(BOT_VENV)/bin/python
BOT_STAMP := $(BOT_VENV)/.installed
MODEL := bot/models/dvc.tar.gz
LOOKUPS := nlu_data/train/generated_procedures.yml
# Rasa must never phone home or print TensorFlow's chatter; the repo root holds bot/ and api/text/.
BOT_ENV := PYTHONPATH=$(CURDIR) RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 \
	TF_ENABLE_ONEDNN_OPTS=0 SQLALCHEMY_SILENCE_UBER_WARNING=1
BOT_SOURCES := bot/config.yml $(wildcard bot/domain/*.yml bot/data/*.yml nlu_data/train/*.yml bot/components/*.py)

.PHONY: run test setup api-env bot-env bot-model bench clean

$(STAMP): pyproject.toml
	@set -e; py=$$(tools/find-python 3.11); \
	  if [ ! -x $(PY) ]; then echo "Tạo môi trường Python cho API ($$py)…"; "$$py" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

# Rasa 3.6 supports Python 3.10 only and pins its own dependencies: a separate environment.
$(BOT_STAMP): bot/requirements.txt
	@set -e; py=$$(tools/find-python 3.10 exact); \
	  if [ ! -x $(BOT_PY) ]; then echo "Tạo môi trường Python 3.10 cho chatbot ($$py)…"; "$$py" -m venv $(BOT_VENV); fi
	$(BOT_PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip<25"
	$(BOT_PY) -m pip install --quiet --disable-pip-version-check -r bot/requirements.txt
	@touch $(BOT_STAMP)

api-env: $(STAMP)
bot-env: $(BOT_STAMP)

$(LOOKUPS): $(BOT_STAMP) $(wildcard data/catalog/procedures/*.json) bot/scripts/generate_lookups.py
	$(BOT_PY) bot/scripts/generate_lookups.py

$(MODEL): $(BOT_STAMP) $(LOOKUPS) $(BOT_SOURCES)
	@echo "Huấn luyện mô hình chatbot (chỉ khi dữ liệu hoặc cấu hình thay đổi)…"
	$(BOT_ENV) $(BOT_VENV)/bin/rasa train --config bot/config.yml --domain bot/domain \
	  --data nlu_data/train bot/data --out bot/models --fixed-model-name dvc --quiet
	@touch $(MODEL)

bot-model: $(MODEL)

setup: api-env
	$(PY) -m api setup

run: setup bot-model
	$(PY) tools/run_all.py

test: api-env bot-model
	$(VENV)/bin/ruff check api tests bench
	$(BOT_ENV) $(BOT_PY) -m pytest -q -p no:cacheprovider -c bot/pytest.ini bot/tests
	$(PY) -m pytest $(PYTEST_ARGS)

bench: api-env
	$(PY) bench/search_bench.py
	$(PY) bench/relevance_bench.py

clean:
	rm -rf $(VENV) $(BOT_VENV) var bot/models .pytest_cache
