-- Creditors place debts with us. Every large table carries creditor_id so the
-- data can later be sharded by creditor.
CREATE TABLE creditors (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    time_zone text NOT NULL DEFAULT 'UTC',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX creditors_name_key ON creditors (lower(name));
COMMENT ON COLUMN creditors.time_zone IS 'IANA zone that decides day boundaries (days past due, due dates).';

-- A debtor belongs to one creditor; the same person placed by two creditors is two rows.
CREATE TABLE debtors (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    debtor_ref text NOT NULL,
    kind text NOT NULL DEFAULT 'person' CONSTRAINT debtors_kind_check CHECK (kind IN ('person', 'company')),
    name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT debtors_creditor_ref_key UNIQUE (creditor_id, debtor_ref)
);
COMMENT ON COLUMN debtors.debtor_ref IS 'The creditor''s reference for the person or company.';
COMMENT ON COLUMN debtors.name IS 'Null when the placement file carried no name; flagged on the account.';

CREATE TABLE debtor_addresses (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    debtor_id uuid NOT NULL REFERENCES debtors (id) ON DELETE CASCADE,
    line1 text,
    line2 text,
    city text,
    region text,
    postal_code text,
    country text,
    is_valid boolean NOT NULL,
    invalid_reason text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX debtor_addresses_debtor_idx ON debtor_addresses (debtor_id);

CREATE TABLE debtor_phones (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    debtor_id uuid NOT NULL REFERENCES debtors (id) ON DELETE CASCADE,
    raw text NOT NULL,
    e164 text,
    phone_type text NOT NULL,
    is_valid boolean NOT NULL,
    do_not_call boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX debtor_phones_debtor_idx ON debtor_phones (debtor_id);

CREATE TABLE debtor_emails (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    debtor_id uuid NOT NULL REFERENCES debtors (id) ON DELETE CASCADE,
    address text NOT NULL,
    is_valid boolean NOT NULL,
    opted_out boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX debtor_emails_debtor_idx ON debtor_emails (debtor_id);
