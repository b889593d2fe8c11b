-- Payments, their receipts and the ledger accounts they move.

ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_kind_check;
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_kind_check CHECK (kind IN
    ('placement', 'placement_adjustment', 'payment', 'reallocation', 'reversal', 'returned_payment_fee'));
ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_ledger_account_check;
ALTER TABLE journal_lines ADD CONSTRAINT journal_lines_ledger_account_check CHECK (ledger_account IN
    ('debtor_principal', 'debtor_interest', 'debtor_fees', 'debtor_unapplied_credit',
     'creditor_placements', 'creditor_collections', 'creditor_fee_income'));
COMMENT ON COLUMN journal_lines.ledger_account IS
    'debtor_* are what the debtor owes (debit) or is owed (unapplied credit, a credit line); creditor_collections is money received.';

-- The creditor's payment policy.
ALTER TABLE creditors
    ADD COLUMN allocation_order text[] NOT NULL DEFAULT ARRAY['fees', 'interest', 'principal']
        CONSTRAINT creditors_allocation_order_check CHECK (
            allocation_order @> ARRAY['fees', 'interest', 'principal']
            AND cardinality(allocation_order) = 3),
    ADD COLUMN returned_payment_fee bigint CONSTRAINT creditors_returned_payment_fee_check CHECK (returned_payment_fee > 0),
    ADD COLUMN returned_payment_fee_jurisdictions text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN creditors.returned_payment_fee IS
    'Fee in minor units of the account''s currency charged when a payment is returned; null charges none.';
COMMENT ON COLUMN creditors.returned_payment_fee_jurisdictions IS
    'Country (US) or country-region (US-CA) codes where the creditor''s agreements authorise the fee and the law allows it.';

-- Running balance of the debtor's unapplied credit held on this account, kept
-- equal to minus the sum of its debtor_unapplied_credit lines.
ALTER TABLE accounts
    ADD COLUMN unapplied_credit bigint NOT NULL DEFAULT 0,
    ADD COLUMN ledger_through date;
COMMENT ON COLUMN accounts.ledger_through IS
    'Latest effective date of a charge or payment on the account; a payment dated earlier is back-dated and re-runs allocation.';

-- A receipt book hands out gap-free numbers: the row is locked by the posting
-- transaction, so a rolled-back posting returns its number.
CREATE TABLE receipt_books (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    code text NOT NULL CONSTRAINT receipt_books_code_check CHECK (code ~ '^[A-Z0-9]{1,12}$'),
    collector_id uuid REFERENCES users (id),
    next_sequence bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT receipt_books_code_key UNIQUE (creditor_id, code),
    CONSTRAINT receipt_books_collector_key UNIQUE (creditor_id, collector_id)
);

CREATE TABLE payments (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    debtor_id uuid NOT NULL REFERENCES debtors (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    currency char(3) NOT NULL,
    amount bigint NOT NULL CONSTRAINT payments_amount_check CHECK (amount > 0),
    method text NOT NULL CONSTRAINT payments_method_check CHECK (method IN
        ('cash', 'cheque', 'card', 'bank_transfer', 'direct_debit', 'money_order')),
    instrument jsonb NOT NULL DEFAULT '{}',
    received_on date NOT NULL,
    status text NOT NULL CONSTRAINT payments_status_check CHECK (status IN ('held', 'posted', 'reversed')),
    held_until date,
    spread_rule text NOT NULL DEFAULT 'single',
    receipt_book_id uuid NOT NULL REFERENCES receipt_books (id),
    receipt_sequence bigint NOT NULL,
    receipt_number text NOT NULL,
    received_by uuid NOT NULL REFERENCES users (id),
    posted_at timestamptz NOT NULL DEFAULT now(),
    reversed_at timestamptz,
    reversal_reason text CONSTRAINT payments_reversal_reason_check CHECK (reversal_reason IN
        ('nsf', 'account_closed', 'payment_stopped', 'disputed', 'chargeback', 'other')),
    reversal_note text,
    reversed_by uuid REFERENCES users (id),
    reversal_fee bigint,
    reversal_fee_decision text,
    CONSTRAINT payments_receipt_key UNIQUE (receipt_book_id, receipt_sequence),
    CONSTRAINT payments_held_check CHECK (status <> 'held' OR held_until IS NOT NULL),
    CONSTRAINT payments_reversed_check CHECK ((status = 'reversed') = (reversed_at IS NOT NULL))
);
CREATE INDEX payments_account_idx ON payments (account_id, received_on);
CREATE INDEX payments_debtor_idx ON payments (debtor_id);
CREATE INDEX payments_held_idx ON payments (held_until) WHERE status = 'held';

-- How much of a payment went to each account when it was spread over several.
CREATE TABLE payment_parts (
    payment_id uuid NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    amount bigint NOT NULL CONSTRAINT payment_parts_amount_check CHECK (amount > 0),
    PRIMARY KEY (payment_id, account_id)
);
CREATE INDEX payment_parts_account_idx ON payment_parts (account_id);

ALTER TABLE journal_entries ADD COLUMN payment_id uuid REFERENCES payments (id) ON DELETE CASCADE;
CREATE INDEX journal_entries_payment_idx ON journal_entries (payment_id);

-- What the receipt said when it was issued; later re-allocations do not change it.
CREATE TABLE receipts (
    payment_id uuid PRIMARY KEY REFERENCES payments (id) ON DELETE CASCADE,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    receipt_number text NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now(),
    content jsonb NOT NULL,
    annotations jsonb NOT NULL DEFAULT '[]',
    print_count integer NOT NULL DEFAULT 0
);

CREATE TABLE receipt_deliveries (
    id uuid PRIMARY KEY,
    payment_id uuid NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    channel text NOT NULL CONSTRAINT receipt_deliveries_channel_check CHECK (channel IN ('email', 'print')),
    email_id uuid REFERENCES debtor_emails (id) ON DELETE SET NULL,
    status text NOT NULL CONSTRAINT receipt_deliveries_status_check CHECK (status IN ('pending', 'sent', 'failed', 'printed')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX receipt_deliveries_pending_idx ON receipt_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX receipt_deliveries_payment_idx ON receipt_deliveries (payment_id);

-- Stored responses of requests sent with an Idempotency-Key, written in the
-- transaction of the request's effect.
CREATE TABLE idempotency_keys (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    response_status smallint NOT NULL,
    response_body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
