"""Compliance: tamper-evident audit log, consent, retention, export and erasure.

A core like ``vault`` or ``privacy``: it works on an unlocked vault object
passed in by :mod:`agentconsole.service` (which enforces roles), through the
repository operations named in :mod:`.storage`; it runs no SQL and imports no
other core. Submodules load on demand; importing this package is cheap.

* :mod:`.audit` - the HMAC-chained audit log, its verification and anchors.
* :mod:`.local_anchor` - the vault's commit counter and audit head at every lock, kept outside
  the data directory (catches a restored older data directory and a cut log).
* :mod:`.failed_unlocks` - failed unlocks recorded while the vault is closed (hash-chained).
* :mod:`.unlock_backoff` - growing delays per user name after failed unlocks, across processes.
* :mod:`.consent` - per-customer consent to AI processing.
* :mod:`.retention` - expiry of PII values and old transcripts.
* :mod:`.erasure` - right to erasure: a customer and everything held about them.
* :mod:`.export` - right of access: a customer's data as JSON or Markdown.
* :mod:`.config_watch` - config changes noticed at unlock (audited).
* :mod:`.storage` - what this core needs from the vault (typed protocols; the vault owns the SQL).
"""
