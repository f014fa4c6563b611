-- RFC 8628 device authorizations: the device code and the user code, each kept only by its HMAC signature, what
-- the device asked for, how far the user got (user_code_state 0 pending, 1 accepted, 2 denied) and how the device polls.
CREATE TABLE device_codes (
  signature TEXT PRIMARY KEY,
  user_code_signature TEXT NOT NULL,
  request_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  requested_scope TEXT NOT NULL,
  requested_audience TEXT NOT NULL,
  user_code_state INTEGER NOT NULL DEFAULT 0,
  subject TEXT NOT NULL DEFAULT '',
  granted_scope TEXT NOT NULL DEFAULT '[]',
  granted_audience TEXT NOT NULL DEFAULT '[]',
  session_data TEXT NOT NULL DEFAULT '',
  flow_id TEXT,
  active INTEGER NOT NULL,
  used_times INTEGER NOT NULL DEFAULT 0,
  poll_interval INTEGER NOT NULL,
  last_polled_at INTEGER,
  requested_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX device_codes_user_code_idx ON device_codes (user_code_signature);
CREATE UNIQUE INDEX device_codes_request_id_idx ON device_codes (request_id);
CREATE INDEX device_codes_expires_at_idx ON device_codes (expires_at);

-- User codes tried per device challenge, so that guessing is bounded.
CREATE TABLE device_challenge_attempts (
  id TEXT PRIMARY KEY,
  attempts INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX device_challenge_attempts_expires_at_idx ON device_challenge_attempts (expires_at);
