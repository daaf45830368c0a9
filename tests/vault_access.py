"""Reaching a service's vault the way tests may: opened directly, never through ``service._vault``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from agentconsole.service import ConsoleService
from agentconsole.vault import Vault


@contextlib.contextmanager
def vault_outside_the_service(service: ConsoleService, user: str, passphrase: str) -> Iterator[Vault]:
    """The service's vault opened directly, as an older agentconsole left it (rows the service now refuses).

    The service is locked meanwhile (one process, one open vault) and unlocked again afterwards.
    """
    service.lock()
    vault = Vault.unlock(service.vault_path, user, bytearray(passphrase.encode()))
    try:
        yield vault
    finally:
        vault.lock()
    service.unlock(user, bytearray(passphrase.encode()))
