"""Which cache the processes use: their own memory by default, a folder or one Redis shared when CACHE_URL names it."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(__file__).resolve().parents[2] / "cdmo" / "settings.py"


def cache_for(monkeypatch, url: str | None) -> dict:
    if url is None:
        monkeypatch.delenv("CACHE_URL", raising=False)
    else:
        monkeypatch.setenv("CACHE_URL", url)
    return runpy.run_path(str(SETTINGS))["CACHES"]["default"]


def test_without_cache_url_each_process_caches_in_its_own_memory(monkeypatch):
    assert cache_for(monkeypatch, None)["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert cache_for(monkeypatch, "")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert cache_for(monkeypatch, "locmem://")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_file_cache_url_shares_one_folder_between_the_workers_of_a_machine(monkeypatch):
    assert cache_for(monkeypatch, "file:///var/cache/alliance") == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": "/var/cache/alliance",
    }


def test_cache_url_puts_every_process_on_one_redis(monkeypatch):
    assert cache_for(monkeypatch, "redis://cache.internal:6379/1") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
    }


def test_a_cache_url_that_is_not_redis_stops_the_start_with_a_message(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be locmem://, file:///a/folder or a Redis URL"):
        cache_for(monkeypatch, "memcached://cache.internal:11211")
