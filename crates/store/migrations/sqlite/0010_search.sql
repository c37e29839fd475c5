-- Full-text search over what units record (items, reports, …). The application segments Chinese
-- text with jieba and stores the words space-separated in `title_terms` and `body_terms`; FTS5 indexes them, kept in
-- step by triggers. `org_path` is the owning org's path, so results are cut to the reader's
-- scope by a range. Keep in step with ../postgres.

CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_kind TEXT NOT NULL,
    doc_id BIGINT NOT NULL,
    campaign_id BIGINT,
    org_id BIGINT NOT NULL,
    org_path TEXT NOT NULL,
    title TEXT NOT NULL,
    snippet TEXT NOT NULL,
    title_terms TEXT NOT NULL,
    body_terms TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (doc_kind, doc_id)
);
CREATE INDEX search_docs_scope ON search_docs (org_path);

CREATE VIRTUAL TABLE search_fts USING fts5(title_terms, body_terms, content='search_docs', content_rowid='id', tokenize='unicode61');

CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts (rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, title_terms, body_terms) VALUES ('delete', old.id, old.title_terms, old.body_terms);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, title_terms, body_terms) VALUES ('delete', old.id, old.title_terms, old.body_terms);
    INSERT INTO search_fts (rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms);
END;
