"""An independent SQLCipher 4 page decryptor, for tests that look at the raw files.

Written from the SQLCipher 4 file format, with nothing but ``cryptography``:

* Page size 4096; each page ends in a reserve of 80 bytes: a 16-byte IV and a
  64-byte HMAC-SHA512.
* Page 1 starts with the 16-byte KDF salt instead of the SQLite header; its
  encrypted area starts at byte 16.
* Encryption: AES-256-CBC (no padding) of the page's data area with the IV.
* HMAC-SHA512 over ``ciphertext || IV || page number (4 bytes, little endian)``.
* With a raw key (``x'<hex>'``) the AES key *is* the key; the HMAC key is
  PBKDF2-HMAC-SHA512(AES key, salt XOR 0x3a, 2 iterations, 32 bytes).
* A WAL file is a 32-byte header then frames of a 24-byte header (page number,
  big endian, first) and one encrypted page each.

:func:`decrypt_database` verifies every page's HMAC (free pages included) and
returns the plaintext pages, so a test can search *everything* the file holds.
Reused by the compliance/erasure tests.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE_SIZE = 4096
SALT_SIZE = 16
IV_SIZE = 16
HMAC_SIZE = 64
RESERVE = IV_SIZE + HMAC_SIZE  # 80, already a multiple of the AES block size
SQLITE_HEADER = b"SQLite format 3\x00"
WAL_HEADER_SIZE = 32
WAL_FRAME_HEADER_SIZE = 24
HMAC_SALT_MASK = 0x3A
FAST_KDF_ITER = 2


class PageHmacError(Exception):
    """A page whose HMAC does not verify under the given key."""

    def __init__(self, page: int) -> None:
        super().__init__(f"HMAC mismatch on page {page}")
        self.page = page


@dataclass(frozen=True)
class Keys:
    aes: bytes
    hmac: bytes
    salt: bytes


def derive_keys(raw_key: bytes, salt: bytes) -> Keys:
    """The AES key and HMAC key SQLCipher 4 uses for a raw 32-byte key and a file salt."""
    hmac_salt = bytes(b ^ HMAC_SALT_MASK for b in salt)
    hmac_key = hashlib.pbkdf2_hmac("sha512", bytes(raw_key), hmac_salt, FAST_KDF_ITER, dklen=32)
    return Keys(bytes(raw_key), hmac_key, bytes(salt))


def decrypt_page(keys: Keys, number: int, page: bytes) -> bytes:
    """Verify and decrypt one page; page 1 comes back with the SQLite header restored."""
    if len(page) != PAGE_SIZE:
        raise PageHmacError(number)
    offset = SALT_SIZE if number == 1 else 0
    data_end = PAGE_SIZE - RESERVE
    ciphertext = page[offset:data_end]
    iv = page[data_end : data_end + IV_SIZE]
    stored = page[data_end + IV_SIZE :]
    expected = hmac.new(keys.hmac, ciphertext + iv + struct.pack("<I", number), hashlib.sha512).digest()
    if not hmac.compare_digest(stored, expected):
        raise PageHmacError(number)
    decryptor = Cipher(algorithms.AES(keys.aes), modes.CBC(iv)).decryptor()
    plain = decryptor.update(ciphertext) + decryptor.finalize()
    head = SQLITE_HEADER if number == 1 else b""
    return head + plain + bytes(RESERVE)


def file_salt(db_path: Path) -> bytes:
    with Path(db_path).open("rb") as fh:
        return fh.read(SALT_SIZE)


def decrypt_database(db_path: Path, raw_key: bytes) -> list[bytes]:
    """Every page of the main database file, HMAC-verified and decrypted (raises PageHmacError)."""
    data = Path(db_path).read_bytes()
    if len(data) % PAGE_SIZE:
        raise PageHmacError(len(data) // PAGE_SIZE + 1)
    keys = derive_keys(raw_key, data[:SALT_SIZE])
    return [decrypt_page(keys, i + 1, data[i * PAGE_SIZE : (i + 1) * PAGE_SIZE]) for i in range(len(data) // PAGE_SIZE)]


def decrypt_wal(wal_path: Path, raw_key: bytes, salt: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """Frames of a WAL file: ``([(page number, plaintext)], frames that did not verify)``.

    Frames left over from before the last WAL reset may not verify (the WAL is
    reused from its start); they are counted, not decrypted.
    """
    data = Path(wal_path).read_bytes() if Path(wal_path).exists() else b""
    keys = derive_keys(raw_key, salt)
    frames: list[tuple[int, bytes]] = []
    unverified = 0
    pos = WAL_HEADER_SIZE
    while pos + WAL_FRAME_HEADER_SIZE + PAGE_SIZE <= len(data):
        (number,) = struct.unpack(">I", data[pos : pos + 4])
        page = data[pos + WAL_FRAME_HEADER_SIZE : pos + WAL_FRAME_HEADER_SIZE + PAGE_SIZE]
        try:
            frames.append((number, decrypt_page(keys, number, page)))
        except PageHmacError:
            unverified += 1
        pos += WAL_FRAME_HEADER_SIZE + PAGE_SIZE
    return frames, unverified


def write_plain_copy(db_path: Path, raw_key: bytes, out: Path) -> Path:
    """Write the decrypted pages as an ordinary SQLite file (the reserve stays declared in the header)."""
    Path(out).write_bytes(b"".join(decrypt_database(db_path, raw_key)))
    return Path(out)


def all_plaintext(db_path: Path, raw_key: bytes) -> bytes:
    """Decrypted database pages plus every verifiable WAL frame, concatenated."""
    db_path = Path(db_path)
    pages = decrypt_database(db_path, raw_key)
    frames, _ = decrypt_wal(Path(f"{db_path}-wal"), raw_key, file_salt(db_path))
    return b"".join(pages) + b"".join(page for _, page in frames)
