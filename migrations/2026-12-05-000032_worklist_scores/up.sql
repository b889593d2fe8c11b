-- Stored worklist scores. A worklist page reads one agent's accounts in
-- score order from an index instead of scoring every account per request.
--
-- Each score holds for one creditor-local day: `worklist_scored_until` is
-- the next local midnight. Triggers expire the score at once when its
-- inputs change (balances, delinquency date, status, calls, broken
-- promises). The worklist request and the daily run rescore expired
-- accounts (services/worklist/score.rs).

ALTER TABLE accounts
    ADD COLUMN worklist_score integer NOT NULL DEFAULT 0,
    ADD COLUMN worklist_scored_until timestamptz NOT NULL DEFAULT '-infinity';

COMMENT ON COLUMN accounts.worklist_score IS 'Sum of the parts in worklist_scores; valid while worklist_scored_until is in the future.';
COMMENT ON COLUMN accounts.worklist_scored_until IS 'Instant the stored score expires: the next creditor-local midnight, or -infinity once an input changed.';

-- The parts of each stored score, read only for the accounts on a page.
CREATE TABLE worklist_scores (
    account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- The creditor-local day the parts were computed for.
    scored_on date NOT NULL,
    days_past_due integer,
    last_call_at timestamptz,
    -- The creditor-local day of `last_call_at`, which the points count from.
    last_call_on date,
    broken_promises integer NOT NULL,
    recent_attempts integer NOT NULL,
    balance_points integer NOT NULL,
    dpd_points integer NOT NULL,
    promise_points integer NOT NULL,
    contact_points integer NOT NULL,
    attempt_points integer NOT NULL
);

-- One agent's worked accounts in score order, and the expired ones among them.
CREATE INDEX accounts_worklist_score_idx ON accounts (assigned_agent_id, worklist_score DESC, id DESC)
    WHERE status IN ('open', 'in_arrangement');
CREATE INDEX accounts_worklist_expiry_idx ON accounts (assigned_agent_id, worklist_scored_until)
    WHERE status IN ('open', 'in_arrangement');
CREATE INDEX accounts_creditor_worklist_expiry_idx ON accounts (creditor_id, worklist_scored_until)
    WHERE status IN ('open', 'in_arrangement');

-- Whether a hold in contact_holds blocks calls to the account, kept by a
-- trigger, so the worklist can leave held accounts out and count them from
-- an index on accounts alone.
ALTER TABLE accounts ADD COLUMN call_held boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN accounts.call_held IS 'True while contact_holds blocks calls: cease (all or calls), disputed, bankruptcy, deceased or a manager hold.';

CREATE FUNCTION contact_holds_sync_call_held() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held boolean := false;
BEGIN
    IF TG_OP <> 'DELETE' THEN
        held := NEW.cease_all OR 'call' = ANY (NEW.cease_channels) OR NEW.disputed OR NEW.bankruptcy
                OR NEW.deceased OR NEW.manager_hold;
    END IF;
    UPDATE accounts SET call_held = held
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.account_id ELSE NEW.account_id END
      AND call_held IS DISTINCT FROM held;
    RETURN NULL;
END $$;

CREATE TRIGGER contact_holds_call_held AFTER INSERT OR UPDATE OR DELETE ON contact_holds
    FOR EACH ROW EXECUTE FUNCTION contact_holds_sync_call_held();

UPDATE accounts a SET call_held = true
FROM contact_holds h
WHERE h.account_id = a.id
  AND (h.cease_all OR 'call' = ANY (h.cease_channels) OR h.disputed OR h.bankruptcy OR h.deceased OR h.manager_hold);

-- The accounts the worklist leaves out without asking the rules engine:
-- a small share of each agent's accounts.
CREATE INDEX accounts_call_blocked_idx ON accounts (assigned_agent_id)
    WHERE (no_valid_phone OR status = 'disputed' OR call_held) AND status IN ('open', 'in_arrangement', 'disputed');

CREATE FUNCTION worklist_score_expire_own() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.worklist_scored_until := '-infinity';
    RETURN NEW;
END $$;

CREATE TRIGGER accounts_worklist_score_inputs BEFORE UPDATE ON accounts
    FOR EACH ROW
    WHEN (OLD.principal_balance IS DISTINCT FROM NEW.principal_balance
          OR OLD.interest_balance IS DISTINCT FROM NEW.interest_balance
          OR OLD.fees_balance IS DISTINCT FROM NEW.fees_balance
          OR OLD.delinquent_since IS DISTINCT FROM NEW.delinquent_since
          OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION worklist_score_expire_own();

CREATE FUNCTION worklist_score_expire_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET worklist_scored_until = '-infinity'
    WHERE id = NEW.account_id AND worklist_scored_until <> '-infinity';
    RETURN NULL;
END $$;

CREATE TRIGGER calls_worklist_score_inputs AFTER INSERT OR UPDATE OF started_at, direction ON calls
    FOR EACH ROW EXECUTE FUNCTION worklist_score_expire_account();

CREATE TRIGGER promises_worklist_score_inputs AFTER INSERT OR UPDATE OF status, promised_on ON promises
    FOR EACH ROW
    WHEN (NEW.status = 'broken')
    EXECUTE FUNCTION worklist_score_expire_account();

-- A broken promise that stops being broken changes the score too. Deleted
-- promises go only with their account, so no delete trigger is needed.
CREATE TRIGGER promises_worklist_score_unbroken AFTER UPDATE OF status ON promises
    FOR EACH ROW
    WHEN (OLD.status = 'broken')
    EXECUTE FUNCTION worklist_score_expire_account();
