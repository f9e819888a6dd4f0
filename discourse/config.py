"""Scoring configuration: packaged TOML defaults, overridden key by key by a user's TOML file."""
from __future__ import annotations

import math
import tomllib
from pathlib import Path

from .errors import InputError
from .readers.text import read_text
from .resources import data_path

#: A scoring file is a few lines; anything larger is not one.
MAX_CONFIG_BYTES = 1024 * 1024


def load_config(path: str | Path | None = None) -> dict:
    """The packaged ``scoring.toml`` with the sections of ``path`` (if given) laid over it."""
    config = tomllib.loads(data_path("scoring.toml").read_text(encoding="utf-8"))
    if path is None:
        return config
    if Path(path).is_dir():
        raise InputError(f"config file {path}: is a folder; give a TOML file")
    try:
        user = tomllib.loads(read_text(Path(path), max_bytes=MAX_CONFIG_BYTES))
    except InputError as exc:
        raise InputError(f"config file {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"config file {path} is not valid TOML: {exc}") from None
    for section, values in user.items():
        if section not in config or not isinstance(values, dict):
            raise InputError(f"config file {path}: unknown section [{section}]; "
                             f"sections are {', '.join(f'[{s}]' for s in config)}")
        unknown = set(values) - set(config[section])
        if unknown:
            raise InputError(f"config file {path}: unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")
        for key, value in values.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                raise InputError(f"config file {path}: [{section}] {key} must be a finite number, not {value!r}")
            config[section][key] = value
    return config
