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
    assert (custom.name, custom.entity_type, custom.context, custom.score) == (
        "ticket",
        "TICKET_NUMBER",
        ["ticket"],
        0.9,
    )


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
        (
            "[[privacy.custom_recognizers]]\nname = 'x'\nregex = 'a'\nentity_type = 'X'\ncolour = 1\n",
            "unknown key 'privacy.custom_recognizers[0].colour'",
        ),
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


def test_a_config_file_that_is_not_utf8_is_a_config_error(agentconsole_home: Path) -> None:
    (agentconsole_home / "config.toml").write_bytes(b"[ui]\ntheme = '\xe9t\xe9'\n")
    with pytest.raises(ConfigError, match=r"config.toml: not UTF-8 text \(byte 14\)$"):
        load_settings()


def test_a_directory_named_config_toml_is_a_config_error(agentconsole_home: Path) -> None:
    (agentconsole_home / "config.toml").mkdir()
    with pytest.raises(ConfigError, match="it is a directory"):
        load_settings()


def test_limits_have_safe_defaults_and_are_validated(agentconsole_home: Path) -> None:
    limits = load_settings().limits
    assert limits.max_message_bytes >= 1_000_000 and limits.max_import_bytes >= limits.max_message_bytes
    write_config(agentconsole_home, "[limits]\nmax_message_bytes = 10\n")
    with pytest.raises(ConfigError, match="'limits.max_message_bytes' must be at least 1024"):
        load_settings()
    write_config(agentconsole_home, "[limits]\nmax_message_bytes = 4096\nmax_import_bytes = 2048\n")
    with pytest.raises(ConfigError, match="'limits.max_import_bytes' must be at least limits.max_message_bytes"):
        load_settings()


def test_text_size_is_counted_in_utf8_bytes() -> None:
    from agentconsole.config import check_text_size
    from agentconsole.errors import AgentConsoleError

    check_text_size("é" * 1024, 2048, "the message")
    with pytest.raises(
        AgentConsoleError, match=r"^the message is 2,049 bytes, over the limit of 2,048 \(limits.max_message_bytes\)"
    ):
        check_text_size("é" * 1024 + "x", 2048, "the message")


def test_the_local_anchor_lives_outside_the_data_directory(
    agentconsole_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AGENTCONSOLE_ANCHOR_DIR")
    default = load_settings().anchor_dir
    assert not default.is_relative_to(agentconsole_home) and default.name == "anchors"
    monkeypatch.setenv("AGENTCONSOLE_ANCHOR_DIR", "/srv/anchors")
    assert load_settings().anchor_dir == Path("/srv/anchors")
    write_config(agentconsole_home, "[compliance]\nanchor_dir = '/mnt/worm/anchors'\n")
    assert load_settings().anchor_dir == Path("/mnt/worm/anchors")
