"""The knowledge base's tables: articles, their versions, passages, the search index and macros.

A KB holds no customer data (imports are scanned for PII before they get
here), but it lives in the vault so it is encrypted and audited like the
rest. Articles keep every imported version; passages and the full-text index
hold the current version only. The index stores *search terms* (stems
computed by :mod:`agentconsole.kb.terms`), not the display text, so what the
index counts is exactly what the retriever asks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agentconsole.vault.errors import RecordNotFound, VaultError
from agentconsole.vault.migrations import Subsystem
from agentconsole.vault.repositories.base import Repository
from agentconsole.vault.repositories.base import now as _now

KB_SUBSYSTEM = Subsystem(
    "kb",
    (
        # 1: articles, versions, passages, the term index, macros.
        """
        CREATE TABLE kb_articles (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,        -- identity for re-import: source file (+ FAQ question)
            title TEXT NOT NULL,
            source TEXT NOT NULL,            -- the source file's name
            version INTEGER NOT NULL,
            synonyms TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE kb_versions (
            article_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            digest TEXT NOT NULL,
            imported_by TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            PRIMARY KEY (article_id, version)
        );
        CREATE TABLE kb_passages (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            heading TEXT NOT NULL,
            text TEXT NOT NULL,
            line INTEGER NOT NULL
        );
        CREATE INDEX kb_passages_by_article ON kb_passages(article_id, position);
        -- Search terms per passage (rowid = passage id); secure-delete so removed terms leave no trace.
        CREATE VIRTUAL TABLE kb_fts USING fts5(title, heading, body, tokenize='unicode61 remove_diacritics 2');
        INSERT INTO kb_fts(kb_fts, rank) VALUES ('secure-delete', 1);
        CREATE VIRTUAL TABLE kb_vocab USING fts5vocab(kb_fts, 'row');
        CREATE TRIGGER kb_passages_delete AFTER DELETE ON kb_passages BEGIN
            DELETE FROM kb_fts WHERE rowid = old.id;
        END;
        CREATE TABLE kb_macros (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            body TEXT NOT NULL,
            article_id INTEGER REFERENCES kb_articles(id) ON DELETE SET NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE kb_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL
        );
        INSERT INTO kb_state(id, generation) VALUES (1, 0);
        """,
    ),
)


@dataclass(frozen=True)
class KbArticle:
    id: int
    key: str
    title: str
    source: str
    version: int
    synonyms: str
    updated_at: str
    passage_count: int


@dataclass(frozen=True)
class KbPassage:
    id: int
    article_id: int
    position: int
    heading: str
    text: str
    line: int
    title: str
    source: str


@dataclass(frozen=True)
class KbVersion:
    version: int
    title: str
    digest: str
    imported_by: str
    imported_at: str


@dataclass(frozen=True)
class KbMacro:
    id: int
    name: str
    body: str
    article_id: int | None


@dataclass(frozen=True)
class NewPassage:
    """A passage to store: display text plus the search terms of its three index columns."""

    heading: str
    text: str
    line: int
    title_terms: str
    heading_terms: str
    body_terms: str


_ARTICLE_COLUMNS = (
    "a.id, a.key, a.title, a.source, a.version, a.synonyms, a.updated_at, "
    "(SELECT count(*) FROM kb_passages p WHERE p.article_id = a.id)"
)
_PASSAGE_COLUMNS = "p.id, p.article_id, p.position, p.heading, p.text, p.line, a.title, a.source"


class KbRepository(Repository):
    """Knowledge-base operations (mixed into :class:`~agentconsole.vault.Vault`)."""

    def _bump_kb_generation(self, conn: object) -> None:
        conn.execute("UPDATE kb_state SET generation = generation + 1 WHERE id = 1")  # type: ignore[attr-defined]

    def kb_generation(self) -> int:
        """A number that changes whenever articles change (retrieval caches are keyed by it)."""
        return int(self.connection().execute("SELECT generation FROM kb_state WHERE id = 1").fetchone()[0])

    def kb_save_article(
        self,
        key: str,
        title: str,
        source: str,
        body: str,
        digest: str,
        synonyms: str,
        passages: Sequence[NewPassage],
        imported_by: str,
    ) -> tuple[int, int, bool]:
        """Store an article's new version (or nothing if ``digest`` is unchanged).

        Returns ``(article id, version, changed)``. The passages and index rows of the
        previous version are replaced; earlier versions' full text stays in ``kb_versions``.
        """
        when = _now()
        with self.transaction() as conn:
            row = conn.execute("SELECT id, version FROM kb_articles WHERE key = ?", (key,)).fetchone()
            if row is not None:
                article_id, version = int(row[0]), int(row[1])
                last = conn.execute(
                    "SELECT digest FROM kb_versions WHERE article_id = ? AND version = ?", (article_id, version)
                ).fetchone()
                if last is not None and last[0] == digest:
                    return article_id, version, False
                version += 1
                conn.execute(
                    "UPDATE kb_articles SET title = ?, source = ?, version = ?, synonyms = ?, updated_at = ? "
                    "WHERE id = ?",
                    (title, source, version, synonyms, when, article_id),
                )
                conn.execute("DELETE FROM kb_passages WHERE article_id = ?", (article_id,))
            else:
                version = 1
                article_id = int(
                    conn.execute(
                        "INSERT INTO kb_articles(key, title, source, version, synonyms, created_at, updated_at) "
                        "VALUES (?, ?, ?, 1, ?, ?, ?) RETURNING id",
                        (key, title, source, synonyms, when, when),
                    ).fetchone()[0]
                )
            conn.execute(
                "INSERT INTO kb_versions(article_id, version, title, body, digest, imported_by, imported_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (article_id, version, title, body, digest, imported_by, when),
            )
            for position, passage in enumerate(passages):
                passage_id = conn.execute(
                    "INSERT INTO kb_passages(article_id, position, heading, text, line) VALUES (?, ?, ?, ?, ?) "
                    "RETURNING id",
                    (article_id, position, passage.heading, passage.text, passage.line),
                ).fetchone()[0]
                conn.execute(
                    "INSERT INTO kb_fts(rowid, title, heading, body) VALUES (?, ?, ?, ?)",
                    (passage_id, passage.title_terms, passage.heading_terms, passage.body_terms),
                )
            self._bump_kb_generation(conn)
        return article_id, version, True

    def kb_list_articles(self) -> list[KbArticle]:
        rows = self.connection().execute(f"SELECT {_ARTICLE_COLUMNS} FROM kb_articles a ORDER BY a.id").fetchall()
        return [KbArticle(*row) for row in rows]

    def kb_get_article(self, article_id: int) -> KbArticle:
        row = (
            self.connection()
            .execute(f"SELECT {_ARTICLE_COLUMNS} FROM kb_articles a WHERE a.id = ?", (article_id,))
            .fetchone()
        )
        if row is None:
            raise RecordNotFound(f"no knowledge-base article KB-{article_id}")
        return KbArticle(*row)

    def kb_article_versions(self, article_id: int) -> list[KbVersion]:
        rows = (
            self.connection()
            .execute(
                "SELECT version, title, digest, imported_by, imported_at FROM kb_versions WHERE article_id = ? "
                "ORDER BY version",
                (article_id,),
            )
            .fetchall()
        )
        return [KbVersion(*row) for row in rows]

    def kb_article_body(self, article_id: int, version: int | None = None) -> str:
        """The full text of an article's version (the current one by default)."""
        conn = self.connection()
        if version is None:
            version = self.kb_get_article(article_id).version
        row = conn.execute(
            "SELECT body FROM kb_versions WHERE article_id = ? AND version = ?", (article_id, version)
        ).fetchone()
        if row is None:
            raise RecordNotFound(f"KB-{article_id} has no version {version}")
        return str(row[0])

    def kb_remove_article(self, article_id: int) -> KbArticle:
        """Delete an article with all its versions, passages and index rows."""
        article = self.kb_get_article(article_id)
        with self.transaction() as conn:
            conn.execute("DELETE FROM kb_articles WHERE id = ?", (article_id,))
            self._bump_kb_generation(conn)
        return article

    def kb_passages(self, article_id: int) -> list[KbPassage]:
        rows = (
            self.connection()
            .execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM kb_passages p JOIN kb_articles a ON a.id = p.article_id "
                "WHERE p.article_id = ? ORDER BY p.position",
                (article_id,),
            )
            .fetchall()
        )
        return [KbPassage(*row) for row in rows]

    def kb_passages_by_id(self, passage_ids: Iterable[int]) -> dict[int, KbPassage]:
        ids = [int(i) for i in passage_ids]
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = (
            self.connection()
            .execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM kb_passages p JOIN kb_articles a ON a.id = p.article_id "
                f"WHERE p.id IN ({marks})",
                ids,
            )
            .fetchall()
        )
        return {int(row[0]): KbPassage(*row) for row in rows}

    def kb_passage_terms(self) -> list[tuple[int, int, str, str, str]]:
        """Every passage's ``(id, article id, title terms, heading terms, body terms)`` (for caches)."""
        return [
            (int(r[0]), int(r[1]), r[2], r[3], r[4])
            for r in self.connection()
            .execute(
                "SELECT f.rowid, p.article_id, f.title, f.heading, f.body FROM kb_fts f "
                "JOIN kb_passages p ON p.id = f.rowid"
            )
            .fetchall()
        ]

    def kb_article_synonyms(self) -> list[tuple[str, str]]:
        """Every article's ``(title, synonyms)`` (synonyms one per line)."""
        return [(str(t), str(s)) for t, s in self.connection().execute("SELECT title, synonyms FROM kb_articles")]

    def kb_term_counts(self) -> tuple[int, dict[str, int]]:
        """``(passage count, {term: number of passages holding it})`` of the index."""
        conn = self.connection()
        total = int(conn.execute("SELECT count(*) FROM kb_passages").fetchone()[0])
        return total, {str(term): int(doc) for term, doc in conn.execute("SELECT term, doc FROM kb_vocab")}

    def kb_match(self, fts_query: str, weights: tuple[float, float, float], limit: int) -> list[tuple[int, float]]:
        """The best ``limit`` passages for an FTS5 query: ``(passage id, bm25 score)``, best (lowest) first."""
        if not fts_query.strip():
            return []
        try:
            rows = (
                self.connection()
                .execute(
                    "SELECT rowid, bm25(kb_fts, ?, ?, ?) AS score FROM kb_fts WHERE kb_fts MATCH ? "
                    "ORDER BY score, rowid LIMIT ?",
                    (*weights, fts_query, limit),
                )
                .fetchall()
            )
        except Exception as exc:  # a malformed query is a programming error upstream; say so plainly
            raise VaultError(f"knowledge-base search failed: {exc}") from None
        return [(int(r[0]), float(r[1])) for r in rows]

    # --- macros ---------------------------------------------------------------------

    def kb_save_macro(self, name: str, body: str, article_id: int | None) -> tuple[int, bool]:
        """Create or replace the macro ``name``; returns ``(id, created)``."""
        with self.transaction() as conn:
            if (
                article_id is not None
                and not conn.execute("SELECT 1 FROM kb_articles WHERE id = ?", (article_id,)).fetchone()
            ):
                raise RecordNotFound(f"macro {name}: no knowledge-base article KB-{article_id}")
            existed = conn.execute("SELECT 1 FROM kb_macros WHERE name = ?", (name,)).fetchone() is not None
            row = conn.execute(
                "INSERT INTO kb_macros(name, body, article_id, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET body = excluded.body, article_id = excluded.article_id, "
                "updated_at = excluded.updated_at RETURNING id",
                (name, body, article_id, _now()),
            ).fetchone()
        return int(row[0]), not existed

    def kb_list_macros(self) -> list[KbMacro]:
        rows = self.connection().execute("SELECT id, name, body, article_id FROM kb_macros ORDER BY name").fetchall()
        return [KbMacro(*row) for row in rows]

    def kb_remove_macro(self, name: str) -> None:
        with self.transaction() as conn:
            if conn.execute("DELETE FROM kb_macros WHERE name = ?", (name,)).rowcount == 0:
                raise RecordNotFound(f"no macro named {name}")
