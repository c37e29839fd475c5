-- Account requests (账号申请): the campaign office asks for an account for someone of its
-- subtree with the business role to grant on the unit; the system administrator creates the
-- account (a one-time password, sealed here until the sheet is handed out once), the security
-- administrator grants the role (三员: the office creates no account and grants no role).
-- Status: requested → created → granted, or refused at either step. Keep in step with ../postgres.

CREATE TABLE account_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    display_name TEXT NOT NULL,
    phone_enc TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    requested_at TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    created_by BIGINT REFERENCES users(id),
    created_at TEXT,
    granted_by BIGINT REFERENCES users(id),
    granted_at TEXT,
    refused_by BIGINT REFERENCES users(id),
    refused_at TEXT,
    refusal_reason TEXT NOT NULL DEFAULT '',
    password_enc TEXT,
    collected_at TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
-- The requests awaiting a step (few at any time), and a subtree's requests.
CREATE INDEX account_requests_status ON account_requests (status, id);
CREATE INDEX account_requests_org ON account_requests (org_id, id);
