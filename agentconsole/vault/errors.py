"""Errors raised by the vault. Messages name users, files and pages, never secrets."""

from __future__ import annotations

from agentconsole.errors import AgentConsoleError, ErrorKind


class VaultError(AgentConsoleError):
    """Any expected failure of the encrypted vault."""


class VaultNotFound(VaultError):
    """No vault (database and keys file) at the given path."""

    kind = ErrorKind.VAULT_NOT_FOUND


class VaultExists(VaultError):
    """``create`` refuses to overwrite an existing vault."""

    kind = ErrorKind.VAULT_EXISTS


class WrongPassphrase(VaultError):
    """The passphrase does not open the user's key slot (or the user has no slot)."""

    kind = ErrorKind.WRONG_PASSPHRASE


class VaultTampered(VaultError):
    """The database or the keys file was modified outside agentconsole.

    ``pages`` lists the damaged database pages when SQLCipher could name them.
    """

    kind = ErrorKind.VAULT_TAMPERED

    def __init__(self, message: str, *, pages: list[int] | None = None) -> None:
        super().__init__(message)
        self.pages: list[int] = list(pages or [])


class VaultRolledBack(VaultTampered):
    """The database is older than the vault last recorded: rolled back, or committed WAL frames lost.

    ``sealed`` is the commit number recorded outside the database, ``found`` the
    database's own. ``agentconsole vault accept-rollback`` (a supervisor) accepts it.
    """

    kind = ErrorKind.VAULT_ROLLED_BACK

    def __init__(self, message: str, *, sealed: int = 0, found: int = 0) -> None:
        super().__init__(message)
        self.sealed = sealed
        self.found = found


class PassphraseChangeRequired(VaultError):
    """A supervisor reset this user's passphrase: a new one must be set before unlocking."""

    kind = ErrorKind.PASSPHRASE_CHANGE_REQUIRED

    exit_code = 2


class VaultLocked(VaultError):
    """The vault was locked: the data key is gone until the next unlock."""

    kind = ErrorKind.VAULT_LOCKED


class VaultInUse(VaultError):
    """Another process has the vault open (one process at a time)."""

    kind = ErrorKind.VAULT_IN_USE

    def __init__(self, message: str, *, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


class RecordNotFound(VaultError):
    """A case or customer id that does not exist."""

    kind = ErrorKind.NOT_FOUND
