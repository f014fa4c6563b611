-- RFC 7592: the HMAC signature of a dynamically registered client's registration access token (never the token).
ALTER TABLE clients ADD COLUMN registration_access_token_signature TEXT;
