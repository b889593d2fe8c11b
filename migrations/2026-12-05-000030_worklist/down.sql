DROP INDEX accounts_agent_status_idx;
ALTER TABLE users DROP COLUMN team_id;
DROP TABLE teams;
