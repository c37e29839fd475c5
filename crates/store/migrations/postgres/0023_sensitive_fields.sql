-- Personal data and second factors, sealed with SM4-GCM by the service (see
-- luodi_service::crypto): the database holds only `sm4gcm1:…` values.
ALTER TABLE users
    ADD COLUMN phone_enc TEXT,
    ADD COLUMN id_card_enc TEXT,
    ADD COLUMN totp_secret_enc TEXT,
    -- Set when the account confirmed its authenticator; NULL: no second factor yet.
    ADD COLUMN totp_enabled_at TIMESTAMPTZ,
    -- The last time step a code was accepted for: a code works once.
    ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
