-- Users of the product and their refresh tokens.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL CONSTRAINT users_role_check
        CHECK (role IN ('admin', 'manager', 'assistant', 'collector')),
    password_hash text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
COMMENT ON TABLE users IS 'People who sign in: admins, managers, assistants and field collectors.';
COMMENT ON COLUMN users.password_hash IS 'Argon2id hash in PHC string format.';

-- A refresh token works once: using it revokes it and issues its successor in
-- the same family. Reusing a revoked token revokes the whole family.
CREATE TABLE refresh_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id uuid NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
COMMENT ON COLUMN refresh_tokens.token_hash IS 'SHA-256 of the token; the token itself is never stored.';

-- Secrets every server instance must share, such as the JWT signing key.
CREATE TABLE server_secrets (
    name text PRIMARY KEY,
    value bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
