"""Native tuning of SQLite connections that the Python binding does not expose.

Linux only, best effort: only speed depends on it. See ``docs/vault.md``
(Performance) for what it buys.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("agentconsole.vault")

#: SQLite's per-connection pool for small allocations ("lookaside"). The default
#: (~40 slots) is used up by the cached statements and the schema, so every further
#: small allocation goes to the allocator, which under memory security means an
#: mlock + munlock + wipe each. One larger pool, allocated (locked, and wiped when the
#: connection closes) once, takes them: 500 x 1200 bytes = 600 KB per connection.
#: Off switch for ``scripts/bench_vault.py`` (measures what the pool buys).
ENLARGE_LOOKASIDE = False
LOOKASIDE_SLOT_BYTES = 1200
LOOKASIDE_SLOTS = 500
_SQLITE_DBCONFIG_LOOKASIDE = 1001

_sqlite_library: Any = None


def sqlite_handle(conn: Any) -> tuple[Any, int] | None:
    """The C library and ``sqlite3 *`` of a sqlcipher3 connection (Linux only), or None.

    sqlcipher3 does not expose ``sqlite3_db_config``; its Connection object (pysqlite's
    layout, unchanged since 2004) holds the ``sqlite3 *`` right after the object header.
    The handle is checked against the connection's file name before it is used.
    """
    global _sqlite_library
    import sqlcipher3

    # Variadic C functions are called as fixed-argument ones below: same ABI on Linux x86-64/arm64.
    if sys.platform != "linux" or type(conn) is not sqlcipher3.Connection:
        return None
    if _sqlite_library is None:
        from sqlcipher3 import _sqlite3

        lib = ctypes.CDLL(_sqlite3.__file__)  # the already loaded extension: same SQLite instance
        lib.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.sqlite3_db_filename.restype = ctypes.c_char_p
        lib.sqlite3_db_config.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.sqlite3_db_config.restype = ctypes.c_int
        lib.sqlite3_db_status.argtypes = [
            ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int), ctypes.c_int
        ]
        lib.sqlite3_db_status.restype = ctypes.c_int
        _sqlite_library = lib
    handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
    return (_sqlite_library, handle) if handle else None


def enlarge_lookaside(conn: Any, path: Path) -> bool:
    """Give a fresh connection the larger lookaside pool (best effort: only speed depends on it)."""
    if not ENLARGE_LOOKASIDE:
        return False
    try:
        found = sqlite_handle(conn)
        if found is None:
            return False
        lib, handle = found
        name = lib.sqlite3_db_filename(handle, b"main")
        if not name or os.path.basename(os.fsdecode(name)) != Path(path).name:
            return False
        # Must run before the first statement: SQLite refuses while lookaside memory is in use.
        rc = lib.sqlite3_db_config(handle, _SQLITE_DBCONFIG_LOOKASIDE, None, LOOKASIDE_SLOT_BYTES, LOOKASIDE_SLOTS)
        return rc == 0
    except (OSError, AttributeError, ImportError, ValueError):
        log.debug("could not enlarge the SQLite lookaside pool", exc_info=True)
        return False

