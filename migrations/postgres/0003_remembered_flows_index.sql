-- Consent skip looks only at remembered flows of one subject and client; this partial index finds them, newest
-- first, without reading the flows that were not remembered (a user may gather many) or sorting.
CREATE INDEX flows_remembered_idx ON flows (subject, client_id, handled_at, id) WHERE remember = TRUE;
