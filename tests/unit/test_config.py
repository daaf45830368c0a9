"""Settings: defaults, validation errors that name the key and the file, rendering."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from agentconsole.config import ConfigError, Settings, load_settings, parse_settings, render_toml


def write_config(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults(agentconsole_home: Path) -> None:
    settings = load_settings()
    assert settings.home == agentconsole_home
    assert settings.source is None
    assert settings.ui.reveal_seconds == 10
    assert settings.ui.autolock_minutes == 5
    assert settings.retention.pii_values_days == 30
    assert settings.retention.transcripts_days == 365
    assert settings.consent.required is False
    assert settings.compliance.keep_raw_text is False
    assert settings.vault_path == agentconsole_home / "vault.db"


def test_values_are_read_and_typed(agentconsole_home: Path) -> None:
    path = write_config(
        agentconsole_home,
        """
[model]
n_ctx = 2048
temperature = 0   # an integer is accepted for a float
stop = ["###"]

[network]
allowed_hosts = ["llm.internal"]

[privacy]
thresholds = { PERSON = 0.6 }

[[privacy.custom_recognizers]]
name = "ticket"
regex = "TCK-[0-9]{6}"
entity_type = "TICKET_NUMBER"
context = ["ticket"]
score = 0.9
""",
    )
    settings = load_settings()
    assert settings.source == path
    assert settings.model.n_ctx == 2048
    assert settings.model.temperature == 0.0 and isinstance(settings.model.temperature, float)
    assert settings.model.stop == ["###"]
    assert settings.network.allowed_hosts == ["llm.internal"]
    assert settings.privacy.thresholds == {"PERSON": 0.6}
    (custom,) = settings.privacy.custom_recognizers
    assert (custom.name, custom.entity_type, custom.context, custom.score) == ("ticket", "TICKET_NUMBER", ["ticket"], 0.9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[model]\nnctx = 1\n", "unknown key 'model.nctx'"),
        ("[modle]\nn_ctx = 1\n", "unknown key 'modle'"),
        ("[model]\nn_ctx = '4096'\n", "'model.n_ctx' must be an integer, got str"),
        ("[model]\nn_ctx = true\n", "'model.n_ctx' must be an integer, got bool"),
        ("[consent]\nrequired = 'yes'\n", "'consent.required' must be true or false, got str"),
        ("[network]\nallowed_hosts = 'x'\n", "'network.allowed_hosts' must be a list of a string, got str"),
        ("[network]\nallowed_hosts = [1]\n", "'network.allowed_hosts[0]' must be a string, got int"),
        ("[model]\nbackend = 'cloud'\n", "'model.backend' must be one of local, server"),
        ("[model]\nn_ctx = 10\n", "'model.n_ctx' must be at least 256"),
        ("model = 3\n", "'model' must be a table"),
        ("[[privacy.custom_recognizers]]\nname = 'x'\nregex = '('\nentity_type = 'X'\n", "is not a valid regex"),
        ("[[privacy.custom_recognizers]]\nname = 'x'\nregex = 'a'\nentity_type = 'X'\ncolour = 1\n",
         "unknown key 'privacy.custom_recognizers[0].colour'"),
    ],
)
def test_bad_config_is_one_clear_error(agentconsole_home: Path, text: str, expected: str) -> None:
    path = write_config(agentconsole_home, text)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_invalid_toml_names_the_file(agentconsole_home: Path) -> None:
    path = write_config(agentconsole_home, "[model\n")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_settings()
    assert str(path) in str(info.value)


def test_render_round_trips(agentconsole_home: Path) -> None:
    write_config(agentconsole_home, '[model]\nstop = ["a\\"b", "\\\\"]\n[privacy]\nthresholds = { PERSON = 0.7 }\n')
    settings = load_settings()
    again = parse_settings(tomllib.loads(render_toml(settings)), home=agentconsole_home)
    assert again == settings
    defaults = Settings(home=agentconsole_home)
    assert parse_settings(tomllib.loads(render_toml(defaults)), home=agentconsole_home) == defaults


def test_config_show_prints_effective_settings(agentconsole_home: Path) -> None:
    write_config(agentconsole_home, "[ui]\nreveal_seconds = 42\n[server]\ntoken_file = '/secret/token'\n")
    out = subprocess.run(
        [sys.executable, "-m", "agentconsole", "config", "show"], capture_output=True, text=True, check=True
    ).stdout
    parsed = tomllib.loads(out)
    assert parsed["ui"]["reveal_seconds"] == 42
    assert set(parsed) >= {"model", "server", "network", "privacy", "ui", "retention", "consent", "compliance"}
    # Only the token file's path is settings; its content is never read here.
    assert parsed["server"]["token_file"] == "/secret/token"
