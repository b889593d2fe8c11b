-- The audit trail: one row per change, written in the change's own transaction.
CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    creditor_id uuid REFERENCES creditors (id) ON DELETE CASCADE,
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action text NOT NULL,
    entity_type text NOT NULL,
    entity_id uuid NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN audit_log.actor_user_id IS 'Null for command-line actions run without a user.';
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, created_at);
