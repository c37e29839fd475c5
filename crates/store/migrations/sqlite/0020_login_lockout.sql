-- Account lockout (luodi_domain::lockout): failed sign-ins in a row, and the end of the lock
-- they caused. Keep in step with ../postgres.

ALTER TABLE users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT;
