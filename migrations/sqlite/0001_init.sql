CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  client_name TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT '',
  secret_hash TEXT,
  rotated_secrets TEXT NOT NULL DEFAULT '[]',
  secret_sealed TEXT,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX clients_client_name_idx ON clients (client_name);
CREATE INDEX clients_owner_idx ON clients (owner);

CREATE TABLE jwks (
  pk INTEGER PRIMARY KEY AUTOINCREMENT,
  set_id TEXT NOT NULL,
  kid TEXT NOT NULL,
  keydata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (set_id, kid)
);

CREATE TABLE access_tokens (
  signature TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  granted_scope TEXT NOT NULL,
  granted_audience TEXT NOT NULL,
  session_data TEXT NOT NULL,
  active INTEGER NOT NULL,
  requested_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  flow_id TEXT,
  first_used_at INTEGER,
  used_times INTEGER NOT NULL DEFAULT 0,
  access_token_signature TEXT
);
CREATE INDEX access_tokens_request_id_idx ON access_tokens (request_id);
CREATE INDEX access_tokens_client_id_idx ON access_tokens (client_id);
CREATE INDEX access_tokens_expires_at_idx ON access_tokens (expires_at);
CREATE INDEX access_tokens_flow_id_idx ON access_tokens (flow_id);

CREATE TABLE refresh_tokens (
  signature TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  granted_scope TEXT NOT NULL,
  granted_audience TEXT NOT NULL,
  session_data TEXT NOT NULL,
  active INTEGER NOT NULL,
  requested_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  flow_id TEXT,
  first_used_at INTEGER,
  used_times INTEGER NOT NULL DEFAULT 0,
  access_token_signature TEXT
);
CREATE INDEX refresh_tokens_request_id_idx ON refresh_tokens (request_id);
CREATE INDEX refresh_tokens_client_id_idx ON refresh_tokens (client_id);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);
CREATE INDEX refresh_tokens_flow_id_idx ON refresh_tokens (flow_id);

CREATE TABLE authorization_codes (
  signature TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  granted_scope TEXT NOT NULL,
  granted_audience TEXT NOT NULL,
  session_data TEXT NOT NULL,
  active INTEGER NOT NULL,
  requested_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  flow_id TEXT,
  first_used_at INTEGER,
  used_times INTEGER NOT NULL DEFAULT 0,
  access_token_signature TEXT
);
CREATE INDEX authorization_codes_request_id_idx ON authorization_codes (request_id);
CREATE INDEX authorization_codes_client_id_idx ON authorization_codes (client_id);
CREATE INDEX authorization_codes_expires_at_idx ON authorization_codes (expires_at);
CREATE INDEX authorization_codes_flow_id_idx ON authorization_codes (flow_id);

CREATE TABLE login_sessions (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  authenticated_at INTEGER NOT NULL,
  remember INTEGER NOT NULL,
  identity_provider_session_id TEXT NOT NULL DEFAULT '',
  expires_at INTEGER NOT NULL
);
CREATE INDEX login_sessions_subject_idx ON login_sessions (subject);
CREATE INDEX login_sessions_expires_at_idx ON login_sessions (expires_at);

CREATE TABLE flows (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  login_session_id TEXT,
  granted_scope TEXT NOT NULL,
  granted_audience TEXT NOT NULL,
  remember INTEGER NOT NULL,
  remember_for INTEGER NOT NULL,
  handled_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  expires_at INTEGER
);
CREATE INDEX flows_subject_client_idx ON flows (subject, client_id);
CREATE INDEX flows_login_session_idx ON flows (login_session_id);
CREATE INDEX flows_expires_at_idx ON flows (expires_at);

CREATE TABLE handled_challenges (
  id TEXT PRIMARY KEY,
  redirect_to TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX handled_challenges_expires_at_idx ON handled_challenges (expires_at);

CREATE TABLE jti_blacklist (
  signature TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX jti_blacklist_expires_at_idx ON jti_blacklist (expires_at);
