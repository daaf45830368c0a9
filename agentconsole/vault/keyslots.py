"""Key slots: who can unwrap the vault's data key, kept in a sidecar JSON file.

The database is encrypted with a random 32-byte *data key*. Each user has one
key slot in ``vault.keys`` next to the database:

* Argon2id(passphrase, salt, t, m, p) gives the slot's key-encryption key (KEK).
* The KEK wraps (AES-256-GCM) the slot's X25519 private key.
* The data key is wrapped (AES-256-GCM, key = HKDF-SHA256 of an X25519
  exchange with an ephemeral key) to the slot's public key, once per key
  *generation*.

Every wrap binds the database id, user, role, KDF parameters (with salt) and
public key as associated data, so editing a role or swapping slots between
vaults breaks the unwrap. The extra public-key layer is what lets ``rekey``
rewrap the new data key for *every* user without knowing their passphrases;
a passphrase change (``passwd``) replaces the slot's key pair too.

Nothing secret is stored in clear: user names, roles, salts, parameters,
public keys, nonces and ciphertexts only. Parameters below t=3 or
m=64 MiB are refused as a downgrade.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from agentconsole.atomicfile import write_atomic
from agentconsole.vault.errors import VaultTampered, WrongPassphrase

KEYS_FORMAT = "agentconsole-vault-keys"
KEYS_VERSION = 1
DATA_KEY_BYTES = 32

#: RFC 9106 second recommended option: Argon2id t=3, m=64 MiB, p=4.
DEFAULT_TIME_COST = 3
DEFAULT_MEMORY_KIB = 64 * 1024
DEFAULT_PARALLELISM = 4
MIN_TIME_COST = 3
MIN_MEMORY_KIB = 64 * 1024
SALT_BYTES = 16
ARGON2_VERSION = 19

_WRAP_INFO = b"agentconsole vault data key wrap v1"

#: Serialises read-modify-write of keys files inside one process (other
#: processes are kept out by the vault's process lock).
keys_file_lock = threading.RLock()


def zero(buf: bytearray | None) -> None:
    """Overwrite a secret buffer in place."""
    if buf is not None:
        for i in range(len(buf)):
            buf[i] = 0


def _b64(data: bytes | bytearray) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def _unb64(text: Any, what: str, path: Path) -> bytes:
    try:
        return base64.b64decode(str(text).encode("ascii"), validate=True)
    except (ValueError, TypeError):
        raise VaultTampered(f"keys file {path} is damaged: bad {what}") from None


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters of one slot (the salt is public)."""

    time_cost: int
    memory_kib: int
    parallelism: int
    salt: bytes

    @classmethod
    def fresh(
        cls,
        time_cost: int = DEFAULT_TIME_COST,
        memory_kib: int = DEFAULT_MEMORY_KIB,
        parallelism: int = DEFAULT_PARALLELISM,
    ) -> KdfParams:
        return cls(time_cost, memory_kib, parallelism, secrets.token_bytes(SALT_BYTES))

    def as_json(self) -> dict[str, Any]:
        return {
            "algorithm": "argon2id",
            "argon2_version": ARGON2_VERSION,
            "time_cost": self.time_cost,
            "memory_kib": self.memory_kib,
            "parallelism": self.parallelism,
            "salt": _b64(self.salt),
        }

    def is_downgrade(self) -> bool:
        return (
            self.time_cost < MIN_TIME_COST
            or self.memory_kib < MIN_MEMORY_KIB
            or self.parallelism < 1
            or len(self.salt) < SALT_BYTES
        )


def derive_kek(passphrase: bytearray, params: KdfParams) -> bytearray:
    """Argon2id(passphrase) -> 32-byte key-encryption key (a bytearray to zero after use)."""
    from argon2.low_level import Type, hash_secret_raw

    raw = hash_secret_raw(
        bytes(passphrase),
        params.salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
        version=ARGON2_VERSION,
    )
    return bytearray(raw)


def _ad(purpose: str, database_id: str, user: str, role: str, kdf: KdfParams, public_key: bytes, **extra: Any) -> bytes:
    doc = {
        "purpose": purpose,
        "database_id": database_id,
        "user": user,
        "role": role,
        "kdf": kdf.as_json(),
        "public_key": _b64(public_key),
        **extra,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _wrap_key(shared: bytes, ephemeral_public: bytes, public_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + public_key, info=_WRAP_INFO).derive(
        shared
    )


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass
class KeySlot:
    """One user's slot as stored (all fields are public)."""

    user: str
    role: str
    kdf: KdfParams
    public_key: bytes
    private_nonce: bytes
    private_ciphertext: bytes
    data_keys: dict[int, dict[str, bytes]]  # generation -> {ephemeral, nonce, ciphertext}
    #: Set by a supervisor's passphrase reset: the passphrase is a one-time one and must be
    #: changed (``passwd``) before the vault opens. Bound into the private-key wrap, so
    #: clearing it in the file breaks the slot.
    must_change: bool = False

    def private_ad(self, database_id: str) -> bytes:
        """Associated data of the private-key wrap (``must_change`` only when set: old slots stay valid)."""
        extra = {"must_change": True} if self.must_change else {}
        return _ad("private-key", database_id, self.user, self.role, self.kdf, self.public_key, **extra)

    def as_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"must_change": True} if self.must_change else {}
        return {
            **extra,
            "user": self.user,
            "role": self.role,
            "kdf": self.kdf.as_json(),
            "public_key": _b64(self.public_key),
            "private_key": {"nonce": _b64(self.private_nonce), "ciphertext": _b64(self.private_ciphertext)},
            "data_keys": {
                str(gen): {k: _b64(v) for k, v in wrap.items()} for gen, wrap in sorted(self.data_keys.items())
            },
        }

    def wrap_data_key(self, database_id: str, generation: int, data_key: bytearray) -> None:
        """Add (or replace) this slot's wrap of ``data_key`` for ``generation``."""
        ephemeral = X25519PrivateKey.generate()
        ephemeral_public = _raw_public(ephemeral.public_key())
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(self.public_key))
        nonce = secrets.token_bytes(12)
        ad = _ad("data-key", database_id, self.user, self.role, self.kdf, self.public_key, generation=generation)
        ciphertext = AESGCM(_wrap_key(shared, ephemeral_public, self.public_key)).encrypt(nonce, bytes(data_key), ad)
        self.data_keys[generation] = {"ephemeral": ephemeral_public, "nonce": nonce, "ciphertext": ciphertext}


class SlotKey:
    """An opened slot: holds the X25519 private key until :meth:`close`."""

    def __init__(self, slot: KeySlot, database_id: str, private: X25519PrivateKey) -> None:
        self.slot = slot
        self.database_id = database_id
        self._private: X25519PrivateKey | None = private

    def data_key(self, generation: int) -> bytearray:
        """Unwrap the data key of ``generation`` (raises VaultTampered if the wrap is damaged)."""
        assert self._private is not None
        wrap = self.slot.data_keys.get(generation)
        if wrap is None:
            raise VaultTampered(f"key slot for user {self.slot.user} has no data key for generation {generation}")
        try:
            shared = self._private.exchange(X25519PublicKey.from_public_bytes(wrap["ephemeral"]))
            ad = _ad(
                "data-key",
                self.database_id,
                self.slot.user,
                self.slot.role,
                self.slot.kdf,
                self.slot.public_key,
                generation=generation,
            )
            key = AESGCM(_wrap_key(shared, wrap["ephemeral"], self.slot.public_key)).decrypt(
                wrap["nonce"], wrap["ciphertext"], ad
            )
        except (InvalidTag, ValueError):
            raise VaultTampered(f"key slot for user {self.slot.user} is damaged (data key does not unwrap)") from None
        out = bytearray(key)
        del key
        if len(out) != DATA_KEY_BYTES:
            raise VaultTampered(f"key slot for user {self.slot.user} is damaged (bad data key length)")
        return out

    def close(self) -> None:
        self._private = None


def new_slot(
    database_id: str,
    user: str,
    role: str,
    passphrase: bytearray,
    kdf: KdfParams | None = None,
    *,
    must_change: bool = False,
) -> KeySlot:
    """A fresh slot with a new key pair, private key wrapped under Argon2id(passphrase)."""
    kdf = kdf or KdfParams.fresh()
    private = X25519PrivateKey.generate()
    public = _raw_public(private.public_key())
    slot = KeySlot(user, role, kdf, public, b"", b"", {}, must_change=must_change)
    kek = derive_kek(passphrase, kdf)
    try:
        slot.private_nonce = secrets.token_bytes(12)
        raw_private = bytearray(private.private_bytes_raw())
        slot.private_ciphertext = AESGCM(bytes(kek)).encrypt(
            slot.private_nonce, bytes(raw_private), slot.private_ad(database_id)
        )
        zero(raw_private)
    finally:
        zero(kek)
    return slot


#: The one message for an unknown user and a wrong passphrase: no user enumeration.
WRONG_CREDENTIALS = "wrong passphrase or user name"


def burn_kdf(passphrase: bytearray) -> None:
    """Spend what opening a slot costs (Argon2id, default parameters) for a name with no slot.

    An unknown user then fails as slowly as a wrong passphrase: timing does not tell them apart.
    """
    zero(derive_kek(passphrase, KdfParams.fresh()))


def open_slot(slot: KeySlot, database_id: str, passphrase: bytearray) -> SlotKey:
    """Argon2id + AES-GCM unwrap of the slot's private key; ``WrongPassphrase`` on failure."""
    kek = derive_kek(passphrase, slot.kdf)
    try:
        raw = bytearray(
            AESGCM(bytes(kek)).decrypt(slot.private_nonce, slot.private_ciphertext, slot.private_ad(database_id))
        )
    except InvalidTag:
        raise WrongPassphrase(WRONG_CREDENTIALS) from None
    finally:
        zero(kek)
    try:
        private = X25519PrivateKey.from_private_bytes(bytes(raw))
    finally:
        zero(raw)
    if _raw_public(private.public_key()) != slot.public_key:
        raise VaultTampered(f"key slot for user {slot.user} is damaged (public key mismatch)")
    return SlotKey(slot, database_id, private)


@dataclass
class KeysFile:
    """The parsed ``vault.keys``: database id, current generation, slots, pending rekey."""

    database_id: str
    generation: int
    slots: list[KeySlot]
    pending_generation: int | None = None

    def slot(self, user: str) -> KeySlot | None:
        return next((s for s in self.slots if s.user == user), None)

    def slot_like(self, user: str) -> KeySlot | None:
        """The slot whose name equals ``user`` ignoring case (names are unique that way)."""
        folded = user.casefold()
        return next((s for s in self.slots if s.user.casefold() == folded), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": KEYS_FORMAT,
            "version": KEYS_VERSION,
            "database_id": self.database_id,
            "generation": self.generation,
            "pending_generation": self.pending_generation,
            "slots": [s.as_json() for s in self.slots],
        }

    # --- disk -----------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> KeysFile:
        """Parse and validate ``path``; damage or a KDF downgrade raises ``VaultTampered``."""
        try:
            doc = json.loads(Path(path).read_bytes())
        except FileNotFoundError:
            raise
        except (OSError, ValueError) as exc:
            raise VaultTampered(f"keys file {path} is damaged: {type(exc).__name__}") from None
        try:
            return cls._parse(doc, Path(path))
        except (KeyError, TypeError, AttributeError, ValueError):
            raise VaultTampered(f"keys file {path} is damaged: missing or malformed field") from None

    @classmethod
    def from_json(cls, doc: dict[str, Any], source: str) -> KeysFile:
        """Parse and validate a keys document held elsewhere (the team store keeps slots in its database)."""
        try:
            return cls._parse(doc, Path(source))
        except (KeyError, TypeError, AttributeError, ValueError):
            raise VaultTampered(f"key slots in {source} are damaged: missing or malformed field") from None

    @classmethod
    def _parse(cls, doc: dict[str, Any], path: Path) -> KeysFile:
        if doc.get("format") != KEYS_FORMAT or doc.get("version") != KEYS_VERSION:
            raise VaultTampered(f"keys file {path} is not an agentconsole keys file (version {doc.get('version')})")
        slots: list[KeySlot] = []
        for raw in doc["slots"]:
            k = raw["kdf"]
            if k.get("algorithm") != "argon2id" or k.get("argon2_version") != ARGON2_VERSION:
                raise VaultTampered(f"key slot for user {raw['user']} uses an unsupported KDF: refused")
            kdf = KdfParams(
                int(k["time_cost"]), int(k["memory_kib"]), int(k["parallelism"]), _unb64(k["salt"], "salt", path)
            )
            if kdf.is_downgrade():
                raise VaultTampered(
                    f"key slot for user {raw['user']} has weaker Argon2id parameters "
                    f"(t={kdf.time_cost}, m={kdf.memory_kib // 1024} MiB) than the minimum "
                    f"t={MIN_TIME_COST}, m={MIN_MEMORY_KIB // 1024} MiB: refused as a downgrade"
                )
            slots.append(
                KeySlot(
                    user=str(raw["user"]),
                    role=str(raw["role"]),
                    kdf=kdf,
                    public_key=_unb64(raw["public_key"], "public key", path),
                    private_nonce=_unb64(raw["private_key"]["nonce"], "nonce", path),
                    private_ciphertext=_unb64(raw["private_key"]["ciphertext"], "ciphertext", path),
                    data_keys={
                        int(gen): {name: _unb64(v, name, path) for name, v in wrap.items()}
                        for gen, wrap in raw["data_keys"].items()
                    },
                    must_change=raw.get("must_change", False) is True,
                )
            )
        pending = doc.get("pending_generation")
        return cls(
            str(doc["database_id"]), int(doc["generation"]), slots, int(pending) if pending is not None else None
        )

    def save(self, path: Path) -> None:
        """Atomic replace: write a 0600 temp file, fsync, rename over, fsync the directory."""
        write_atomic(Path(path), json.dumps(self.as_json(), indent=1, sort_keys=True).encode("utf-8") + b"\n")


@contextlib.contextmanager
def editing(path: Path) -> Iterator[KeysFile]:
    """Load, let the caller modify, and atomically save the keys file (in-process serialised)."""
    with keys_file_lock:
        keys = KeysFile.load(path)
        yield keys
        keys.save(path)
