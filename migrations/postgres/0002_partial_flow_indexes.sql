-- Tokens outside a consent flow (client_credentials, most custom grants) have no flow_id; leaving them out
-- of the flow_id indexes spares one B-tree insert per such token. Lookups by flow_id = $1 still use them.
DROP INDEX access_tokens_flow_id_idx;
CREATE INDEX access_tokens_flow_id_idx ON access_tokens (flow_id) WHERE flow_id IS NOT NULL;
DROP INDEX refresh_tokens_flow_id_idx;
CREATE INDEX refresh_tokens_flow_id_idx ON refresh_tokens (flow_id) WHERE flow_id IS NOT NULL;
DROP INDEX authorization_codes_flow_id_idx;
CREATE INDEX authorization_codes_flow_id_idx ON authorization_codes (flow_id) WHERE flow_id IS NOT NULL;
