"""Scenarios as data: one TOML file each, read by one runner."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def _read(name: str) -> dict[str, Any]:
    scenario = tomllib.loads(resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8"))
    scenario["name"] = name
    return scenario


def _files() -> list[str]:
    return [f.name.removesuffix(".toml") for f in resources.files(__name__).iterdir() if f.name.endswith(".toml")]


def names() -> list[str]:
    """Return the known scenario names in curriculum order (each file's `order`)."""
    return sorted(_files(), key=lambda name: _read(name)["order"])


def load(name: str) -> dict[str, Any]:
    """Return the scenario called name; KeyError when there is none."""
    if name not in _files():
        raise KeyError(name)
    return _read(name)
