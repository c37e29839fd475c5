-- The hashes of an account's earlier passwords, so that a new one can be checked against the
-- last few (dengbao3: the last 5 are not reused). Keep in step with ../postgres.

CREATE TABLE password_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);
