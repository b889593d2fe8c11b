-- Repayment plans, settlement offers, promises to pay, follow-up tasks and
-- the record of which days the daily run has evaluated.

ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_kind_check;
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_kind_check CHECK (kind IN
    ('placement', 'placement_adjustment', 'payment', 'reallocation', 'reversal', 'returned_payment_fee',
     'plan_interest', 'settlement_writedown'));
ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_ledger_account_check;
ALTER TABLE journal_lines ADD CONSTRAINT journal_lines_ledger_account_check CHECK (ledger_account IN
    ('debtor_principal', 'debtor_interest', 'debtor_fees', 'debtor_unapplied_credit',
     'creditor_placements', 'creditor_collections', 'creditor_fee_income',
     'creditor_interest_income', 'creditor_writedowns'));

-- The creditor's repayment policy as shared::plans::RepaymentPolicy; null
-- means the default policy.
ALTER TABLE creditors ADD COLUMN repayment_policy jsonb;

CREATE TABLE plans (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind text NOT NULL CONSTRAINT plans_kind_check CHECK (kind IN ('instalment', 'settlement')),
    status text NOT NULL CONSTRAINT plans_status_check CHECK (status IN
        ('pending_approval', 'rejected', 'on_track', 'in_arrears', 'broken', 'completed', 'cancelled', 'renegotiated')),
    frequency text NOT NULL CONSTRAINT plans_frequency_check CHECK (frequency IN ('weekly', 'fortnightly', 'monthly')),
    start_date date NOT NULL,
    instalment_count integer NOT NULL CONSTRAINT plans_instalment_count_check CHECK (instalment_count BETWEEN 1 AND 520),
    down_payment bigint NOT NULL CONSTRAINT plans_down_payment_check CHECK (down_payment >= 0),
    settlement_amount bigint CONSTRAINT plans_settlement_amount_check CHECK (settlement_amount > 0),
    currency char(3) NOT NULL,
    balance_at_creation bigint NOT NULL,
    total_to_pay bigint NOT NULL,
    total_interest bigint NOT NULL,
    annual_rate_bp integer NOT NULL,
    grace_days integer NOT NULL,
    missed_to_break integer NOT NULL,
    findings jsonb NOT NULL DEFAULT '[]',
    required_approver text,
    note text,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_by uuid REFERENCES users (id),
    decided_at timestamptz,
    decision_note text,
    replaces_plan_id uuid REFERENCES plans (id),
    -- Payments dated from this day (the creditor's) count towards the plan.
    counts_from date NOT NULL,
    paid_to_date bigint NOT NULL DEFAULT 0,
    missed_count integer NOT NULL DEFAULT 0,
    closed_on date,
    close_reason text,
    CONSTRAINT plans_settlement_check CHECK ((kind = 'settlement') = (settlement_amount IS NOT NULL))
);
CREATE INDEX plans_account_idx ON plans (account_id, created_at);
CREATE INDEX plans_active_idx ON plans (creditor_id) WHERE status IN ('on_track', 'in_arrears');
CREATE INDEX plans_pending_idx ON plans (creditor_id) WHERE status = 'pending_approval';
-- One active plan and one request per account. A renegotiation waiting for
-- approval stands beside the active plan it would replace.
CREATE UNIQUE INDEX plans_one_active_idx ON plans (account_id) WHERE status IN ('on_track', 'in_arrears');
CREATE UNIQUE INDEX plans_one_pending_idx ON plans (account_id) WHERE status = 'pending_approval';

CREATE TABLE plan_instalments (
    id uuid PRIMARY KEY,
    plan_id uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    number integer NOT NULL,
    due_on date NOT NULL,
    amount bigint NOT NULL CONSTRAINT plan_instalments_amount_check CHECK (amount > 0),
    principal bigint NOT NULL,
    interest bigint NOT NULL,
    paid bigint NOT NULL DEFAULT 0,
    status text NOT NULL DEFAULT 'pending' CONSTRAINT plan_instalments_status_check CHECK (status IN
        ('pending', 'partially_paid', 'paid', 'missed')),
    missed boolean NOT NULL DEFAULT false,
    interest_charged boolean NOT NULL DEFAULT false,
    CONSTRAINT plan_instalments_number_key UNIQUE (plan_id, number),
    CONSTRAINT plan_instalments_parts_check CHECK (principal + interest = amount AND principal >= 0 AND interest >= 0)
);
CREATE INDEX plan_instalments_interest_idx ON plan_instalments (due_on) WHERE interest > 0 AND NOT interest_charged;

CREATE TABLE promises (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    amount bigint NOT NULL CONSTRAINT promises_amount_check CHECK (amount > 0),
    currency char(3) NOT NULL,
    promised_on date NOT NULL,
    window_ends_on date NOT NULL,
    channel text NOT NULL CONSTRAINT promises_channel_check CHECK (channel IN ('call', 'letter', 'email', 'sms', 'in_person', 'web')),
    note text,
    taken_by uuid NOT NULL REFERENCES users (id),
    taken_at timestamptz NOT NULL DEFAULT now(),
    taken_on date NOT NULL,
    status text NOT NULL DEFAULT 'open' CONSTRAINT promises_status_check CHECK (status IN
        ('open', 'kept', 'partially_kept', 'broken', 'cancelled')),
    paid bigint NOT NULL DEFAULT 0,
    resolved_on date,
    CONSTRAINT promises_window_check CHECK (window_ends_on >= promised_on AND promised_on >= taken_on)
);
CREATE INDEX promises_account_idx ON promises (account_id, taken_at);
CREATE INDEX promises_open_idx ON promises (creditor_id, taken_on) WHERE status = 'open';

-- Work the daily run raises for the account's agent: one task per cause.
CREATE TABLE follow_up_tasks (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind text NOT NULL CONSTRAINT follow_up_tasks_kind_check CHECK (kind IN ('broken_promise', 'missed_instalment', 'broken_plan')),
    subject_id uuid NOT NULL,
    raised_on date NOT NULL,
    assigned_to uuid REFERENCES users (id) ON DELETE SET NULL,
    done boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    done_at timestamptz,
    done_by uuid REFERENCES users (id),
    CONSTRAINT follow_up_tasks_subject_key UNIQUE (kind, subject_id)
);
CREATE INDEX follow_up_tasks_open_idx ON follow_up_tasks (assigned_to, raised_on) WHERE NOT done;

-- One row per creditor and day the daily run has evaluated; inserting it
-- claims the day, so two servers never evaluate the same day twice.
CREATE TABLE daily_runs (
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    run_on date NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    report jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (creditor_id, run_on)
);
