-- Requests to reset a credential (the password or the second factor) of one of the three
-- administrators: one administrator asks, another approves (三员: no one takes over another
-- alone). An approved password reset keeps the one-time password, sealed, until the requester
-- has collected it once. Keep in step with ../postgres.

CREATE TABLE credential_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    requested_at TEXT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at TEXT,
    password_enc TEXT,
    collected_at TEXT
);
CREATE INDEX credential_resets_status ON credential_resets (status, id);
CREATE INDEX credential_resets_user ON credential_resets (user_id, id);
