"""Client-side encryption of the team store: AES-256-GCM cells and keyed blind-index tokens.

Every customer text, title, PII value, customer reference, meta value and audit
subject/detail is encrypted here before it is sent; the server stores the blob
and never a key. A blob is ``0x01 || generation (4 bytes) || nonce (12) ||
ciphertext+tag``; its associated data binds the team database id, the table,
the column and the row id, so a blob copied into another row, column or team
database fails to decrypt and is reported by name (table, column, row).

Search: the server matches *tokens*, ``HMAC-SHA256(K_search, normalized term)``
cut to 16 bytes, that it cannot invert; see ``docs/team.md`` for what that
leaks (equal terms have equal tokens).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import struct
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from agentconsole.vault.errors import VaultTampered

FORMAT = 1
_HEADER = struct.Struct(">BI")
NONCE_BYTES = 12
TOKEN_BYTES = 16
#: Prefix searches (``word*``) match tokens of each word's first 3..PREFIX_MAX characters.
PREFIX_MIN = 3
PREFIX_MAX = 6

ROW_KEY_INFO = b"agentconsole/pg/rows/v1"
SEARCH_PURPOSE = b"agentconsole/pg/search/v1"
CUSTOMER_REF_PURPOSE = b"agentconsole/pg/customer-ref/v1"

_WORD = re.compile(r"\w+\*?", re.UNICODE)


def hkdf(key: bytes | bytearray, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(bytes(key))


class RowCipher:
    """AES-256-GCM over table cells, one key per data-key generation (several during a rekey)."""

    def __init__(self, database_id: str, keys: dict[int, bytes], generation: int) -> None:
        self.database_id = database_id
        self._aead = {gen: AESGCM(hkdf(key, ROW_KEY_INFO)) for gen, key in keys.items()}
        self.generation = generation

    def _ad(self, table: str, column: str, row_id: object) -> bytes:
        return f"agentconsole/pg/v1|{self.database_id}|{table}|{column}|{row_id}".encode()

    def seal(self, table: str, column: str, row_id: object, text: str | None) -> bytes | None:
        """Encrypt ``text`` for one cell (None stays None: absence is not secret)."""
        if text is None:
            return None
        nonce = secrets.token_bytes(NONCE_BYTES)
        body = self._aead[self.generation].encrypt(nonce, text.encode("utf-8"), self._ad(table, column, row_id))
        return _HEADER.pack(FORMAT, self.generation) + nonce + body

    def open(self, table: str, column: str, row_id: object, blob: bytes | memoryview | None) -> str | None:
        """Decrypt one cell; any damage, a moved blob or an unknown generation raises VaultTampered."""
        if blob is None:
            return None
        data = bytes(blob)
        where = f"{table}.{column} of row {row_id}"
        if len(data) < _HEADER.size + NONCE_BYTES + 16:
            raise VaultTampered(f"team store was modified outside agentconsole: {where} is truncated")
        fmt, generation = _HEADER.unpack_from(data)
        aead = self._aead.get(generation)
        if fmt != FORMAT or aead is None:
            raise VaultTampered(
                f"team store was modified outside agentconsole: {where} has an unknown format or key generation"
            )
        nonce = data[_HEADER.size : _HEADER.size + NONCE_BYTES]
        try:
            plain = aead.decrypt(nonce, data[_HEADER.size + NONCE_BYTES :], self._ad(table, column, row_id))
        except InvalidTag:
            raise VaultTampered(f"team store was modified outside agentconsole: {where} does not verify") from None
        return plain.decode("utf-8")

    @staticmethod
    def generation_of(blob: bytes | memoryview) -> int:
        return int(_HEADER.unpack_from(bytes(blob[: _HEADER.size]))[1])


def normalize(term: str) -> str:
    """Case-folded, diacritics removed (as FTS5 ``unicode61 remove_diacritics 2``)."""
    decomposed = unicodedata.normalize("NFKD", term.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The normalized words of a text, as the index sees them."""
    return [normalize(m.group()) for m in re.finditer(r"\w+", text, re.UNICODE)]


class BlindIndex:
    """Keyed tokens of normalized terms: equality the server can test, words it cannot read."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def token(self, kind: str, value: str) -> bytes:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).digest()[:TOKEN_BYTES]

    def message_tokens(self, text: str) -> set[bytes]:
        """Whole-word tokens and prefix tokens (3..6 characters) of every word of ``text``."""
        out: set[bytes] = set()
        for word in set(words(text)):
            out.add(self.token("w", word))
            for k in range(PREFIX_MIN, min(len(word) - 1, PREFIX_MAX) + 1):
                out.add(self.token("p", word[:k]))
        return out

    def query_tokens(self, query: str) -> tuple[list[bytes], list[tuple[str, bool]]]:
        """Tokens every match must carry, and the terms ``(word, is_prefix)`` to check after decryption.

        A prefix shorter than 3 characters has no token: it is only checked on the client.
        """
        tokens: list[bytes] = []
        terms: list[tuple[str, bool]] = []
        for match in _WORD.finditer(query):
            raw = match.group()
            prefix = raw.endswith("*")
            word = normalize(raw.rstrip("*"))
            if not word:
                continue
            terms.append((word, prefix))
            if not prefix:
                tokens.append(self.token("w", word))
            elif len(word) >= PREFIX_MIN:
                tokens.append(self.token("p", word[:PREFIX_MAX]))
        return sorted(set(tokens)), terms


def snippet(text: str, terms: list[tuple[str, bool]], start: str, end: str, width: int = 16) -> str | None:
    """Mark the matched words of ``text`` (None if a term is missing), around the first match, ~width words."""
    found = [False] * len(terms)
    pieces: list[str] = []
    first_hit = -1
    spans = list(re.finditer(r"\w+", text, re.UNICODE))
    for i, m in enumerate(spans):
        word = normalize(m.group())
        hit = False
        for j, (term, prefix) in enumerate(terms):
            if word == term or (prefix and word.startswith(term)):
                found[j] = hit = True
        if hit and first_hit < 0:
            first_hit = i
        pieces.append(f"{start}{m.group()}{end}" if hit else m.group())
    if not all(found):
        return None
    lo = max(0, first_hit - width // 4)
    hi = min(len(spans), lo + width)
    out = []
    for i in range(lo, hi):
        gap_from = spans[i - 1].end() if i > lo else spans[i].start()
        out.append(text[gap_from : spans[i].start()] if i > lo else "")
        out.append(pieces[i])
    return ("…" if lo > 0 else "") + "".join(out) + ("…" if hi < len(spans) else "")
