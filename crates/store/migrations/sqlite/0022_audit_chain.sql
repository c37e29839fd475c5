-- Tamper evidence for the audit trail (see luodi_domain::audit_chain). luodi writes each record
-- with a random nonce and a row MAC; the sealer later gives it a sequence number and a chain MAC.
-- txid is PostgreSQL's (which transactions have finished); SQLite has one writer and leaves it 0.
ALTER TABLE audit_log ADD COLUMN nonce TEXT;
ALTER TABLE audit_log ADD COLUMN row_mac TEXT;
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN mac TEXT;
ALTER TABLE audit_log ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);
CREATE UNIQUE INDEX audit_log_nonce ON audit_log (nonce);
CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE seq IS NULL;

-- The chain's head, moved only by the sealer. Records up to legacy_max_id were written before
-- row MACs existed; the sealer gives them one when it seals them.
CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL,
    last_mac TEXT NOT NULL,
    legacy_max_id BIGINT NOT NULL
);
INSERT INTO audit_chain (id, last_seq, last_mac, legacy_max_id)
SELECT 1, 0, '', COALESCE(MAX(id), 0) FROM audit_log;

-- Each purge by the audit administrator: records up to up_to_seq went to the archive file, and
-- the chain goes on from anchor_mac. mac (HMAC-SM3) shows luodi wrote the purge.
CREATE TABLE audit_purges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    before TEXT NOT NULL,
    from_seq BIGINT NOT NULL,
    up_to_seq BIGINT NOT NULL,
    anchor_mac TEXT NOT NULL,
    records BIGINT NOT NULL,
    archive_sha256 TEXT NOT NULL,
    archive_name TEXT NOT NULL,
    mac TEXT NOT NULL
);

-- No code path of luodi's can change or remove a record: the sealer may fill in seq and mac
-- once (and the row MAC of a record from before), a purge may remove what it archived.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR NEW.mac IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
  OR NEW.actor_name IS NOT OLD.actor_name OR NEW.action IS NOT OLD.action
  OR NEW.object_type IS NOT OLD.object_type OR NEW.object_id IS NOT OLD.object_id
  OR NEW.org_path IS NOT OLD.org_path OR NEW.before_json IS NOT OLD.before_json
  OR NEW.after_json IS NOT OLD.after_json OR NEW.ip IS NOT OLD.ip
  OR NEW.outcome IS NOT OLD.outcome OR NEW.txid IS NOT OLD.txid
  OR ((NEW.row_mac IS NOT OLD.row_mac OR NEW.nonce IS NOT OLD.nonce)
      AND (OLD.row_mac IS NOT NULL OR OLD.id > (SELECT legacy_max_id FROM audit_chain)))
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: a record is sealed once and never changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq IS NULL OR OLD.seq > (SELECT COALESCE(MAX(up_to_seq), 0) FROM audit_purges)
BEGIN
    SELECT RAISE(ABORT, 'audit records are removed only by the audit administrator''s purge');
END;

CREATE TRIGGER audit_purges_no_update BEFORE UPDATE ON audit_purges
BEGIN
    SELECT RAISE(ABORT, 'audit_purges is append-only');
END;

CREATE TRIGGER audit_purges_no_delete BEFORE DELETE ON audit_purges
BEGIN
    SELECT RAISE(ABORT, 'audit_purges is append-only');
END;

-- The head only moves forward, and the mark of records from before MACs never moves.
CREATE TRIGGER audit_chain_forward_only BEFORE UPDATE ON audit_chain
WHEN NEW.last_seq < OLD.last_seq OR NEW.legacy_max_id IS NOT OLD.legacy_max_id OR NEW.id IS NOT OLD.id
BEGIN
    SELECT RAISE(ABORT, 'the audit chain head only moves forward');
END;

CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
BEGIN
    SELECT RAISE(ABORT, 'the audit chain head cannot be removed');
END;
