CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    debtor_id uuid NOT NULL REFERENCES debtors (id) ON DELETE CASCADE,
    account_ref text NOT NULL,
    currency char(3) NOT NULL,
    status text NOT NULL DEFAULT 'open' CONSTRAINT accounts_status_check CHECK (status IN
        ('open', 'in_arrangement', 'disputed', 'on_hold', 'paid', 'settled', 'written_off', 'returned')),
    original_principal bigint NOT NULL,
    original_interest bigint NOT NULL,
    original_fees bigint NOT NULL,
    principal_balance bigint NOT NULL DEFAULT 0,
    interest_balance bigint NOT NULL DEFAULT 0,
    fees_balance bigint NOT NULL DEFAULT 0,
    total_balance bigint GENERATED ALWAYS AS (principal_balance + interest_balance + fees_balance) STORED,
    opened_on date,
    last_payment_on date,
    delinquent_since date,
    charged_off_on date,
    assigned_agent_id uuid REFERENCES users (id) ON DELETE SET NULL,
    name_missing boolean NOT NULL DEFAULT false,
    no_valid_phone boolean NOT NULL DEFAULT true,
    no_valid_address boolean NOT NULL DEFAULT true,
    no_valid_email boolean NOT NULL DEFAULT true,
    no_valid_contact boolean GENERATED ALWAYS AS (no_valid_phone AND no_valid_address AND no_valid_email) STORED,
    source_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_creditor_ref_key UNIQUE (creditor_id, account_ref)
);
COMMENT ON COLUMN accounts.original_principal IS 'Principal placed with us, in minor units of currency.';
COMMENT ON COLUMN accounts.principal_balance IS 'Running balance in minor units, kept equal to the sum of the account''s principal journal lines.';
COMMENT ON COLUMN accounts.source_hash IS 'SHA-256 of the mapped placement row; an unchanged hash means a re-import changes nothing.';
CREATE INDEX accounts_worklist_balance_idx ON accounts (total_balance DESC, id);
CREATE INDEX accounts_worklist_delinquent_idx ON accounts (delinquent_since, id);
CREATE INDEX accounts_agent_idx ON accounts (assigned_agent_id);
CREATE INDEX accounts_debtor_idx ON accounts (debtor_id);

-- The double-entry journal. An entry's lines sum to zero per currency; lines
-- and entries are never updated or deleted, and a correction is a new entry.
CREATE TABLE journal_entries (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    account_id uuid REFERENCES accounts (id) ON DELETE CASCADE,
    kind text NOT NULL CONSTRAINT journal_entries_kind_check CHECK (kind IN ('placement', 'placement_adjustment')),
    effective_on date NOT NULL,
    memo text NOT NULL DEFAULT '',
    corrects_entry_id uuid REFERENCES journal_entries (id),
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_entries_account_idx ON journal_entries (account_id, effective_on);

CREATE TABLE journal_lines (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id uuid NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    account_id uuid REFERENCES accounts (id) ON DELETE CASCADE,
    ledger_account text NOT NULL CONSTRAINT journal_lines_ledger_account_check CHECK (ledger_account IN
        ('debtor_principal', 'debtor_interest', 'debtor_fees', 'creditor_placements')),
    currency char(3) NOT NULL,
    amount bigint NOT NULL
);
COMMENT ON COLUMN journal_lines.amount IS 'Minor units; positive is a debit (the debtor owes more), negative a credit.';
CREATE INDEX journal_lines_entry_idx ON journal_lines (entry_id);
CREATE INDEX journal_lines_account_idx ON journal_lines (account_id);

CREATE FUNCTION journal_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal rows are immutable; post a correcting entry instead'
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER journal_entries_immutable BEFORE UPDATE ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION journal_reject_change();
CREATE TRIGGER journal_lines_immutable BEFORE UPDATE ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION journal_reject_change();
-- Deleting is refused too, except through the cascade that removes a whole creditor.
CREATE TRIGGER journal_lines_no_delete BEFORE DELETE ON journal_lines
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION journal_reject_change();
CREATE TRIGGER journal_entries_no_delete BEFORE DELETE ON journal_entries
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION journal_reject_change();

-- Each statement that inserts journal lines must insert every line of the
-- entries it touches, and those lines must sum to zero per currency. A
-- statement-level check keeps bulk imports fast (one query per statement, not
-- one per line).
CREATE FUNCTION journal_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced record;
BEGIN
    SELECT n.entry_id, n.currency, sum(n.amount) AS total INTO unbalanced
    FROM new_lines n
    GROUP BY n.entry_id, n.currency
    HAVING sum(n.amount) <> 0
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % does not balance in %: lines sum to %',
            unbalanced.entry_id, unbalanced.currency, unbalanced.total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER journal_lines_balanced AFTER INSERT ON journal_lines
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION journal_check_balanced();
