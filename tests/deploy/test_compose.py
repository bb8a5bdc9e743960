"""docker/ checked without a Docker engine: the compose file against the Compose Specification,
and every service's command and environment against the application itself."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from compose_spec import PyCompose

from api.cli import build_parser
from api.settings import ROOT, load_settings

DOCKER = ROOT / "docker"
COMPOSE = DOCKER / "compose.yml"
API_IMAGE = "tro-ly-dvc/api:0.1.0"
LONG_RUNNING = {"postgres", "redis", "api", "push-worker", "rasa-1", "rasa-2", "actions", "proxy"}


@pytest.fixture(scope="module")
def compose() -> dict:
    text = COMPOSE.read_text()
    PyCompose.from_yaml(text)  # raises ValueError on anything the specification does not allow
    return yaml.safe_load(text)


def env_of(compose: dict, name: str) -> dict[str, str]:
    """A service's environment as the container sees it: env files (the examples), then environment."""
    service = compose["services"][name]
    env: dict[str, str] = {}
    for env_file in service.get("env_file", []):
        example = DOCKER / f"{env_file}.example"
        for line in example.read_text().splitlines():
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key] = value
    env.update({k: str(v) for k, v in (service.get("environment") or {}).items()})
    return {k: re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", v) for k, v in env.items()}


def app_env_names() -> set[str]:
    """Every DVC_* variable the application reads (API, worker, bot actions)."""
    names = set()
    for path in [*ROOT.joinpath("api").rglob("*.py"), *ROOT.joinpath("bot", "actions").rglob("*.py")]:
        names |= set(re.findall(r"[\"'](DVC_[A-Z0-9_]+)[\"']", path.read_text()))
    return names


def test_compose_file_follows_the_compose_specification(compose):
    assert set(compose["services"]) == LONG_RUNNING | {"migrate"}
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "dvcdata", "caddy_data", "caddy_config"}


def test_only_the_proxy_is_published_and_rasa_never(compose):
    published = {name for name, s in compose["services"].items() if s.get("ports")}
    assert published == {"proxy"}
    assert compose["services"]["proxy"]["ports"] == ["80:80", "443:443"]


def test_every_long_running_service_has_a_health_check_and_restarts(compose):
    for name in LONG_RUNNING:
        service = compose["services"][name]
        assert service.get("healthcheck", {}).get("test"), name
        assert service.get("restart") == "unless-stopped", name


def test_several_api_worker_and_rasa_instances(compose):
    services = compose["services"]
    assert services["api"]["deploy"]["replicas"] >= 2
    assert services["push-worker"]["deploy"]["replicas"] >= 2
    rasa = [n for n in services if n.startswith("rasa-")]
    assert len(rasa) >= 2
    # The API routes each citizen to one Rasa replica: every replica is listed, and only those.
    urls = env_of(compose, "api")["DVC_RASA_URLS"].split(",")
    assert sorted(urls) == sorted(f"http://{n}:5005" for n in rasa)


def test_api_image_commands_are_commands_of_the_application(compose):
    parser = build_parser()
    for name, service in compose["services"].items():
        if service.get("image") != API_IMAGE:
            continue
        command = service["command"]
        assert command[:3] == ["python", "-m", "api"], name
        args = parser.parse_args(command[3:])  # exits (fails the test) on an unknown command or option
        assert args.command in {"serve", "push-worker", "setup"}, name
    assert compose["services"]["migrate"]["command"][3:] == ["setup", "--no-demo-agency"]


def test_environment_matches_the_settings(compose, monkeypatch):
    known = app_env_names()
    for name in ("migrate", "api", "push-worker"):
        env = env_of(compose, name)
        unknown = {k for k in env if k.startswith("DVC_")} - known
        assert not unknown, f"{name}: the application does not read {unknown}"
        for key in list(__import__("os").environ):
            if key.startswith("DVC_") or key == "DATABASE_URL":
                monkeypatch.delenv(key)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = load_settings()  # raises on a malformed value
        assert settings.environment == "production" and settings.push_worker == "off"
        assert settings.database_url.startswith("postgresql+asyncpg://") and "@postgres:5432/" in settings.database_url
        assert settings.redis_url == "redis://redis:6379/0" and settings.log_format == "json"
        assert settings.public_url.startswith("https://")
        assert len(settings.rasa_urls) == 2


def test_rasa_endpoints_get_every_variable_they_use(compose):
    endpoints = (DOCKER / "rasa-endpoints.yml").read_text()
    used = set(re.findall(r"\$\{(\w+)\}", endpoints))
    for name in ("rasa-1", "rasa-2"):
        env = env_of(compose, name)
        assert used <= set(env), f"{name} lacks {used - set(env)}"
        assert env["RASA_ACTION_URL"] == "http://actions:5055/webhook"
    config = yaml.safe_load(endpoints)
    assert config["tracker_store"]["dialect"] == "postgresql" and config["lock_store"]["type"] == "redis"
    assert "actions" in compose["services"] and env_of(compose, "actions")["DVC_API_URL"] == "http://api:8000"


def test_secrets_come_from_an_env_file_that_is_never_committed(compose):
    tracked = subprocess.run(["git", "ls-files", "docker"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert "docker/secrets.env" not in tracked and "docker/secrets.env.example" in tracked
    ignored = subprocess.run(["git", "check-ignore", "docker/secrets.env"], cwd=ROOT, capture_output=True)
    assert ignored.returncode == 0
    for name in ("postgres", "migrate", "api", "push-worker", "rasa-1", "rasa-2"):
        assert compose["services"][name].get("env_file") == ["secrets.env"], name
    # No password or key written into the compose file itself.
    text = COMPOSE.read_text()
    assert not re.search(r"(PASSWORD|PRIVATE_KEY|SECRET)\s*:", text)


@pytest.mark.parametrize("dockerfile", sorted(DOCKER.glob("*.Dockerfile")), ids=lambda p: p.name)
def test_images_are_multi_stage_pinned_and_not_root(dockerfile: Path):
    text = dockerfile.read_text()
    bases = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(bases) >= 2, "multi-stage"
    for base in bases:
        if ":" in base:  # an image, not an earlier stage
            tag = base.split(":", 1)[1]
            assert tag != "latest" and re.match(r"\d+\.\d+(\.\d+)?", tag), base
    stages = re.split(r"^FROM\s+", text, flags=re.M)[1:]
    for stage in stages:
        name = stage.split()[2] if len(stage.split()) > 2 and stage.split()[1] == "AS" else "?"
        if "CMD" in stage:  # a stage that runs something: as a user, with a health check
            assert re.search(r"^USER\s+(?!root)\w+", stage, re.M), name
            assert "HEALTHCHECK" in stage, name
    for source in re.findall(r"^COPY\s+(?!--from)(?:--\S+\s+)*(\S+)\s+\S+$", text, re.M):
        assert (ROOT / source).exists(), f"{dockerfile.name} copies {source}, which does not exist"


def test_api_image_installs_exactly_pinned_packages():
    lines = [line for line in (DOCKER / "api-requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines and all(re.match(r"^[A-Za-z0-9_.\-\[\]]+==[\w.+\-]+$", line) for line in lines), lines
    names = {line.split("==")[0].lower().replace("_", "-") for line in lines}
    import tomllib

    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        name = re.split(r"[<>=\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in names, f"{name} is missing from docker/api-requirements.txt"


def test_the_proxy_serves_https_streams_unbuffered_and_hides_metrics():
    caddy = (DOCKER / "Caddyfile").read_text()
    assert "{$DVC_DOMAIN:localhost}" in caddy  # a site address: Caddy serves it over HTTPS
    assert re.search(r"name api\s+port 8000", caddy) and "flush_interval -1" in caddy
    assert "health_uri /health/ready" in caddy
    assert re.search(r"@internal path /metrics\s+respond @internal 404", caddy)


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration"):readme.index("## Benchmarks")]
    missing = {name for name in app_env_names() if f"`{name}`" not in table}
    assert not missing, f"README's configuration table lacks {sorted(missing)}"


def test_compose_commands_quote_cleanly():
    # The health checks are exec arrays (no shell): nothing to quote wrongly.
    for name, service in yaml.safe_load(COMPOSE.read_text())["services"].items():
        if "healthcheck" not in service:
            continue
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD", name
        assert shlex.join(test[1:]), name
