-- Logged calls, and the holds that stop contact with a debtor. Both feed the
-- contact rules (api/src/domain/contact_rules).

CREATE TABLE calls (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    debtor_id uuid NOT NULL REFERENCES debtors (id) ON DELETE CASCADE,
    -- The debtor's number dialled or called from; null for an inbound call
    -- from a number not on record.
    phone_id uuid REFERENCES debtor_phones (id) ON DELETE SET NULL,
    direction text NOT NULL CONSTRAINT calls_direction_check CHECK (direction IN ('outbound', 'inbound')),
    outcome text NOT NULL CONSTRAINT calls_outcome_check CHECK (outcome IN
        ('right_party_contact', 'third_party', 'no_answer', 'voicemail', 'wrong_number', 'refused',
         'dispute_raised', 'promise_taken', 'plan_agreed', 'deceased_reported', 'bankruptcy_reported')),
    -- True when the outcome counts as a conversation with the debtor, which
    -- starts the quiet days after a conversation.
    conversation boolean NOT NULL,
    notes text,
    follow_up_on date,
    started_at timestamptz NOT NULL,
    logged_by uuid NOT NULL REFERENCES users (id),
    -- Why a manager logged an outbound call that the contact rules blocked.
    override_reason text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_account_idx ON calls (account_id, started_at);

-- One row per account with any hold set; an account without a row has no
-- holds. The account status 'disputed' blocks contact as well.
CREATE TABLE contact_holds (
    account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    cease_all boolean NOT NULL DEFAULT false,
    cease_channels text[] NOT NULL DEFAULT '{}' CONSTRAINT contact_holds_cease_channels_check
        CHECK (cease_channels <@ ARRAY['call', 'letter', 'email', 'sms']::text[]),
    bankruptcy boolean NOT NULL DEFAULT false,
    deceased boolean NOT NULL DEFAULT false,
    disputed boolean NOT NULL DEFAULT false,
    manager_hold boolean NOT NULL DEFAULT false,
    -- Blocks only content that mentions legal action.
    time_barred boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid REFERENCES users (id)
);
