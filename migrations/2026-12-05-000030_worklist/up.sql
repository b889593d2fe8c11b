-- Teams of agents, for bulk reassignment round-robin across a team, and the
-- index the prioritised worklist reads: one agent's accounts by status.

CREATE TABLE teams (
    id uuid PRIMARY KEY,
    name text NOT NULL CONSTRAINT teams_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX teams_name_key ON teams (lower(name));

ALTER TABLE users ADD COLUMN team_id uuid REFERENCES teams (id) ON DELETE SET NULL;
CREATE INDEX users_team_idx ON users (team_id);

CREATE INDEX accounts_agent_status_idx ON accounts (assigned_agent_id, status);
