-- RFC 7523 §2.1 trust relationships of the jwt-bearer grant (Hydra's trust API). Each row keeps its own public
-- key, so deleting a trust takes its key with it and no key set is shared with signing keys or the JWKS.
-- subject is '' when allow_any_subject; one issuer, subject and key id are trusted once.
CREATE TABLE trusted_jwt_issuers (
  id TEXT PRIMARY KEY,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  allow_any_subject BOOLEAN NOT NULL,
  scope TEXT NOT NULL,
  key_id TEXT NOT NULL,
  jwk TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  UNIQUE (issuer, subject, key_id)
);
CREATE INDEX trusted_jwt_issuers_expires_at_idx ON trusted_jwt_issuers (expires_at);
