-- Reminders (催办): every notice is a delivery in a queue, per channel (inbox, email, dingtalk,
-- wecom), retried with backoff and recorded; `dedupe_key` keeps a person to one digest a day.
-- Keep in step with ../postgres.

ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    read_at TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX deliveries_user ON deliveries (user_id, channel, id);
CREATE INDEX deliveries_queue ON deliveries (status, next_attempt_at);
