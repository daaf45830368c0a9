"""A data directory set up through the CLI with three users (a supervisor, an agent, an auditor)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agentconsole.cli import main
from agentconsole.config import load_settings
from agentconsole.service import ConsoleService
from agentconsole.vault import Vault

PASSWORDS = {"sue": "supervisor passphrase", "ann": "agent passphrase", "aud": "auditor passphrase"}


def run(home: Path, secrets_dir: Path, user: str, *args: str) -> int:
    """``agentconsole ARGS`` as ``user``, with the passphrase file the tests wrote for them."""
    return main(["--home", str(home), *args, "--user", user, "--passphrase-file", str(secrets_dir / f"{user}.pass")])


def home_with_users(home: Path, secrets_dir: Path, seed: Callable[[Vault], None]) -> Path:
    """``init`` as sue (supervisor), then ann (agent) and aud (auditor) added and ``seed`` run on the vault."""
    for user, secret in PASSWORDS.items():
        (secrets_dir / f"{user}.pass").write_text(secret + "\n")
    assert run(home, secrets_dir, "sue", "init") == 0
    service = ConsoleService(load_settings(home))
    service.unlock("sue", bytearray(PASSWORDS["sue"].encode()))
    try:
        vault = service.require("manage_users")
        vault.add_user("ann", "agent", bytearray(PASSWORDS["ann"].encode()))
        vault.add_user("aud", "auditor", bytearray(PASSWORDS["aud"].encode()))
        seed(vault)
    finally:
        service.lock()
    return home
