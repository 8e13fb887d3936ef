"""`docker-compose.yml` as Compose reads it: several app servers behind the proxy, RQ workers, Redis, PostgreSQL and
its nightly dump, consistent with the Dockerfile and the proxy's config. No Docker engine runs here to start it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def services() -> dict:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))  # anchors and merges too
    return compose["services"]


def command_of(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def app_servers(services: dict) -> dict[str, dict]:
    return {
        name: service for name, service in services.items() if "gunicorn cdmo.wsgi:application" in command_of(service)
    }


def test_two_app_servers_run_gunicorn_from_the_image_on_the_port_it_exposes(services):
    servers = app_servers(services)
    assert len(servers) >= 2
    exposed = re.search(r"^EXPOSE (\d+)$", DOCKERFILE, re.MULTILINE).group(1)
    for service in servers.values():
        assert service["build"] == "."
        assert f"--bind 0.0.0.0:{exposed}" in command_of(service)
        assert "ports" not in service, "only the proxy is published"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_proxy_is_caddy_from_its_official_image_sending_to_every_app_server(services):
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:")
    mounted = {volume.split(":")[1]: volume.split(":")[0] for volume in proxy["volumes"]}
    caddyfile = ROOT / mounted["/etc/caddy/Caddyfile"]  # the committed config, read-only in the container
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile.read_text(encoding="utf-8")).group(1).split()
    assert sorted(upstreams) == sorted(f"{name}:8000" for name in app_servers(services))
    assert set(proxy["depends_on"]) == set(app_servers(services))
    # On a laptop: http://localhost:8000/, from this machine only.
    assert proxy["ports"] == ["127.0.0.1:8000:80"]
    assert proxy["environment"]["SITE_ADDRESS"] == "${SITE_ADDRESS:-:80}"


def test_app_servers_and_workers_share_the_database_redis_jobs_cache_and_export_files(services):
    workers = services["worker"]
    assert "rqworker --job-class django_tasks_rq.Job default" in command_of(workers)
    assert workers["deploy"]["replicas"] >= 2
    export_folder = re.search(r"mkdir -p (\S+export-jobs)", DOCKERFILE).group(1)
    for service in [*app_servers(services).values(), workers, services["migrate"]]:
        environment = service["environment"]
        assert environment["TASKS_BACKEND"] == "rq"
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")
        assert environment["CACHE_URL"].startswith("redis://redis:6379/")
        assert environment["CACHE_URL"] != environment["REDIS_URL"]
        assert environment["DATABASE_URL"].endswith("@db:5432/alliance")
        assert environment["EXPORT_JOBS_DIR"] == export_folder
        assert f"exportjobs:{export_folder}" in service["volumes"]
        assert environment["DJANGO_PRODUCTION"] == "0"  # plain HTTP on the laptop (docs/operations.md)


def test_postgresql_is_checked_before_use_and_dumped_every_night(services):
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["migrate"]["command"] == "python manage.py migrate --noinput"
    backup = services["backup"]
    assert backup["image"] == services["db"]["image"]  # pg_dump of the server's own version
    script = command_of(backup)
    assert "pg_dump --format=custom --no-owner" in script
    assert "tomorrow 02:00" in script
    assert "backups:/backups" in backup["volumes"]


def test_every_variable_the_compose_file_reads_is_documented(services):
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    documented = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`", (ROOT / "docs" / "configuration.md").read_text(), re.M))
    assert read, "the compose file reads no variable"
    assert read - documented == set()
