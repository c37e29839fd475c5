-- A session opened by a password whose account has a second factor: it may do nothing but
-- offer the code (and sign out) until the code is accepted and a full session replaces it.
ALTER TABLE sessions ADD COLUMN pending_totp BOOLEAN NOT NULL DEFAULT FALSE;
