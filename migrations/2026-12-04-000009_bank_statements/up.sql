-- Bank statements (camt.053, camt.054, MT940) imported to find debtor
-- payments: the uploaded file, each statement in it, and every entry.

-- One uploaded file. The same bytes twice for one creditor are rejected.
CREATE TABLE bank_statement_imports (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    file_name text NOT NULL,
    file_sha256 bytea NOT NULL CONSTRAINT bank_statement_imports_sha256_check CHECK (octet_length(file_sha256) = 32),
    file_size bigint NOT NULL,
    format text NOT NULL CONSTRAINT bank_statement_imports_format_check CHECK (format IN ('camt053', 'camt054', 'mt940')),
    message_id text,
    uploaded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    statement_count integer NOT NULL,
    entry_count integer NOT NULL,
    repeated_entry_count integer NOT NULL,
    unbalanced_statement_count integer NOT NULL,
    repeated_entries jsonb NOT NULL DEFAULT '[]',
    CONSTRAINT bank_statement_imports_file_key UNIQUE (creditor_id, file_sha256)
);
COMMENT ON COLUMN bank_statement_imports.entry_count IS
    'Entries in the file; repeated_entry_count of them were stored by an earlier import and are listed in repeated_entries.';
COMMENT ON COLUMN bank_statement_imports.repeated_entries IS
    'One object per entry of this file that an earlier import already stored: {"statement", "line", "entry_id"}.';
CREATE INDEX bank_statement_imports_created_idx ON bank_statement_imports (created_at DESC, id);

-- One camt Stmt/Ntfctn or one MT940 message.
CREATE TABLE bank_statements (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    import_id uuid NOT NULL REFERENCES bank_statement_imports (id) ON DELETE CASCADE,
    position integer NOT NULL,
    statement_ref text NOT NULL,
    sequence_number text,
    line integer NOT NULL,
    bank_account text NOT NULL,
    currency char(3),
    opening_balance bigint,
    opening_date date,
    closing_balance bigint,
    closing_date date,
    balance_check text NOT NULL CONSTRAINT bank_statements_balance_check_check CHECK (balance_check IN ('balanced', 'mismatch', 'not_checked')),
    balance_check_message text,
    entry_count integer NOT NULL,
    CONSTRAINT bank_statements_position_key UNIQUE (import_id, position)
);
COMMENT ON COLUMN bank_statements.statement_ref IS 'camt Stmt/Id or Ntfctn/Id, or the MT940 :20: reference.';
COMMENT ON COLUMN bank_statements.opening_balance IS 'Signed minor units of currency; a debit (overdrawn) balance is negative.';
COMMENT ON COLUMN bank_statements.balance_check IS
    'mismatch when opening balance plus the booked entries is not the closing balance; not_checked when a balance is missing (camt.054).';

-- Every entry of every statement, stored once per bank account: a later
-- file that repeats an entry (same entry_key) stores nothing new for it.
CREATE TABLE bank_statement_entries (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    import_id uuid NOT NULL REFERENCES bank_statement_imports (id) ON DELETE CASCADE,
    statement_id uuid NOT NULL REFERENCES bank_statements (id) ON DELETE CASCADE,
    bank_account text NOT NULL,
    entry_key text NOT NULL,
    line integer NOT NULL,
    booking_date date,
    value_date date,
    amount bigint NOT NULL,
    currency char(3) NOT NULL,
    reversal boolean NOT NULL,
    bank_status text,
    transaction_count integer NOT NULL,
    bank_reference text,
    customer_reference text,
    end_to_end_id text,
    counterparty_name text,
    remittance_info text,
    return_reason text,
    bank_details jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL CONSTRAINT bank_statement_entries_status_check CHECK (status IN
        ('matched_posted', 'needs_review', 'ignored_debit', 'reversed_payment', 'unmatched_reversal', 'manually_matched', 'dismissed')),
    account_id uuid REFERENCES accounts (id) ON DELETE SET NULL,
    payment_id uuid REFERENCES payments (id) ON DELETE SET NULL,
    confidence integer CONSTRAINT bank_statement_entries_confidence_check CHECK (confidence BETWEEN 0 AND 100),
    match_reason text NOT NULL,
    candidates jsonb NOT NULL DEFAULT '[]',
    reviewed_by uuid REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at timestamptz,
    dismiss_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bank_statement_entries_entry_key UNIQUE (creditor_id, bank_account, entry_key),
    CONSTRAINT bank_statement_entries_posted_check CHECK (
        status NOT IN ('matched_posted', 'manually_matched', 'reversed_payment') OR payment_id IS NOT NULL)
);
COMMENT ON COLUMN bank_statement_entries.amount IS
    'Signed minor units of currency: a credit to the bank account is positive, a debit negative (a reversed credit too).';
COMMENT ON COLUMN bank_statement_entries.entry_key IS
    'Identity of the entry at its bank account: the bank''s reference with amount and date, or a fingerprint of its fields; see services/bank_statements/store.rs.';
COMMENT ON COLUMN bank_statement_entries.bank_details IS
    'Other fields of the entry as the bank wrote them: mandate_id, creditor_reference, counterparty_account, bank_transaction_code.';
COMMENT ON COLUMN bank_statement_entries.candidates IS
    'Accounts the matcher considered, best first: [{"account_id", "account_ref", "confidence", "reason"}].';
CREATE INDEX bank_statement_entries_status_idx ON bank_statement_entries (status, id);
CREATE INDEX bank_statement_entries_import_idx ON bank_statement_entries (import_id, id);
CREATE INDEX bank_statement_entries_statement_idx ON bank_statement_entries (statement_id);
CREATE INDEX bank_statement_entries_payment_idx ON bank_statement_entries (payment_id) WHERE payment_id IS NOT NULL;
-- A reversal entry looks for the credit it undoes among the posted credits of that amount.
CREATE INDEX bank_statement_entries_posted_idx ON bank_statement_entries (creditor_id, amount) WHERE payment_id IS NOT NULL;

-- Reference matching compares account references case-insensitively.
CREATE INDEX accounts_ref_lower_idx ON accounts (creditor_id, lower(account_ref));
