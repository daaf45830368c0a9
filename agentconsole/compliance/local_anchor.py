"""The automatic local anchor: the vault's state at every lock, kept outside the data directory.

At every lock the service writes ``<anchor dir>/<vault id>.json``: the
database's commit counter and the audit log's head (seq, MAC, time), with
``HMAC-SHA256(K_anchor, ...)`` over them (``K_anchor`` from the vault's root
secret, so only a key holder can write one that verifies). The anchor
directory is *not* the data directory (default: the platform's user state
directory), so putting back an older copy of the data directory, database,
keys and commit seal included, leaves a newer anchor behind:

* at unlock, a database whose commit counter is below the anchor's is refused
  (:class:`~agentconsole.vault.VaultRolledBack`);
* ``audit verify`` checks the chain against the anchor's head, so a log cut
  after it is reported as truncated.

What it cannot see: an older anchor file put back together with the older data
directory (whoever can write both can roll both back), or a deleted anchor
(reported as missing, which is also what a vault moved to another machine
looks like). Anchors kept off the machine (``audit anchor --out``) remain the
answer to that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentconsole.compliance.audit import GENESIS_MAC, Anchor, AuditLog, utc_timestamp
from agentconsole.compliance.storage import AuditStore, UnitOfWork

LOCAL_ANCHOR_FORMAT = "agentconsole-local-anchor"
LOCAL_ANCHOR_VERSION = 1
ANCHOR_KEY_PURPOSE = b"agentconsole/local-anchor/v1"
#: meta key set once a local anchor was written for this vault (so a missing one is noticed).
ANCHORED_META_KEY = "local_anchor_written"

log = logging.getLogger("agentconsole.compliance")


class LocalAnchorError(Exception):
    """The local anchor exists but cannot be trusted (damaged, forged, another vault)."""


@dataclass(frozen=True)
class LocalAnchor:
    """The vault's state when it was last locked on this machine."""

    vault_id: str
    commit: int
    audit_seq: int
    audit_mac: bytes
    audit_time: str
    taken_at: str

    def audit_anchor(self) -> Anchor:
        return Anchor(self.vault_id, self.audit_seq, self.audit_mac, self.audit_time, self.taken_at)

    def _fields(self) -> dict[str, Any]:
        return {
            "format": LOCAL_ANCHOR_FORMAT,
            "version": LOCAL_ANCHOR_VERSION,
            "vault_id": self.vault_id,
            "commit": self.commit,
            "audit": {"seq": self.audit_seq, "mac": self.audit_mac.hex(), "time": self.audit_time},
            "taken_at": self.taken_at,
        }


def path_for(anchor_dir: Path, vault_id: str) -> Path:
    return Path(anchor_dir) / f"{vault_id}.json"


def _mac(key: bytes, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(bytes(key), body, hashlib.sha256).hexdigest()


def _key(vault: UnitOfWork) -> bytes:
    return bytes(vault.data_key_material(ANCHOR_KEY_PURPOSE))


def write(vault: AuditStore, anchor_dir: Path) -> LocalAnchor:
    """Record the vault's current commit counter and audit head (0700 directory, 0600 file, atomic)."""
    from agentconsole.atomicfile import write_atomic

    if vault.get_meta(ANCHORED_META_KEY) is None:  # before the counter is read: this is a commit too
        vault.set_meta(ANCHORED_META_KEY, "1")
    head = AuditLog(vault).head()
    anchor = LocalAnchor(
        vault_id=vault.database_id,
        commit=vault.commit_seq(),
        audit_seq=int(head["seq"]),
        audit_mac=bytes.fromhex(head["mac"]),
        audit_time=str(head["time"]),
        taken_at=utc_timestamp(),
    )
    fields = anchor._fields()
    doc = {**fields, "mac": _mac(_key(vault), fields)}
    directory = Path(anchor_dir)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path_for(directory, vault.database_id), (json.dumps(doc, indent=1) + "\n").encode("utf-8"))
    return anchor


def read(vault: UnitOfWork, anchor_dir: Path) -> LocalAnchor | None:
    """The verified anchor of this vault, None if there is none; LocalAnchorError if it does not verify."""
    path = path_for(anchor_dir, vault.database_id)
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise LocalAnchorError(f"the local anchor {path} is unreadable ({type(exc).__name__})") from None
    try:
        audit = doc["audit"]
        anchor = LocalAnchor(
            vault_id=str(doc["vault_id"]),
            commit=int(doc["commit"]),
            audit_seq=int(audit["seq"]),
            audit_mac=bytes.fromhex(str(audit["mac"])),
            audit_time=str(audit["time"]),
            taken_at=str(doc["taken_at"]),
        )
        mac = str(doc["mac"])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise LocalAnchorError(f"the local anchor {path} is damaged") from None
    if anchor.vault_id != vault.database_id or len(anchor.audit_mac) != len(GENESIS_MAC):
        raise LocalAnchorError(f"the local anchor {path} belongs to another vault")
    if not hmac.compare_digest(mac, _mac(_key(vault), anchor._fields())):
        raise LocalAnchorError(f"the local anchor {path} was modified (its MAC does not verify)")
    return anchor


@dataclass(frozen=True)
class AnchorCheck:
    """Unlock-time comparison of the vault with its local anchor."""

    anchor: LocalAnchor | None
    rolled_back: bool = False
    problem: str | None = None  # missing (though one was written) or untrustworthy

    def describe(self) -> str:
        return self.problem or ("matches the local anchor" if self.anchor else "no local anchor yet")


def check(vault: UnitOfWork, anchor_dir: Path) -> AnchorCheck:
    """Compare the open vault with its local anchor (never raises for a bad anchor: reports it)."""
    try:
        anchor = read(vault, anchor_dir)
    except LocalAnchorError as exc:
        return AnchorCheck(None, problem=str(exc))
    if anchor is None:
        if vault.get_meta(ANCHORED_META_KEY) is not None:
            where = path_for(anchor_dir, vault.database_id)
            return AnchorCheck(None, problem=f"the local anchor {where} is missing (deleted, or the vault was moved)")
        return AnchorCheck(None)
    found = vault.commit_seq()
    if found < anchor.commit:
        return AnchorCheck(
            anchor,
            rolled_back=True,
            problem=(
                f"vault was rolled back: the local anchor of {anchor.taken_at[:19]}Z recorded commit "
                f"{anchor.commit}, the database is at {found} (an older copy of the data directory?)"
            ),
        )
    return AnchorCheck(anchor)
