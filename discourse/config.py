"""Scoring configuration: packaged TOML defaults, overridden key by key by a user's TOML file."""
from __future__ import annotations

import tomllib
from pathlib import Path

from .errors import InputError
from .resources import data_path


def load_config(path: str | Path | None = None) -> dict:
    """The packaged ``scoring.toml`` with the sections of ``path`` (if given) laid over it."""
    config = tomllib.loads(data_path("scoring.toml").read_text(encoding="utf-8"))
    if path is None:
        return config
    try:
        user = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"config file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"config file {path} is not valid TOML: {exc}") from None
    for section, values in user.items():
        if section not in config or not isinstance(values, dict):
            raise InputError(f"config file {path}: unknown section [{section}]; "
                             f"sections are {', '.join(f'[{s}]' for s in config)}")
        unknown = set(values) - set(config[section])
        if unknown:
            raise InputError(f"config file {path}: unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")
        for key, value in values.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise InputError(f"config file {path}: [{section}] {key} must be a number")
            config[section][key] = value
    return config
