-- Disputes pause collection on a debt until the debt is verified and the
-- verification is sent to the debtor.
CREATE TABLE disputes (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'open' CONSTRAINT disputes_status_check CHECK (status IN ('open', 'verified')),
    -- The call that recorded it, when it was raised on a call.
    call_id uuid REFERENCES calls (id) ON DELETE SET NULL,
    note text,
    raised_at timestamptz NOT NULL DEFAULT now(),
    raised_by uuid NOT NULL REFERENCES users (id),
    verification_note text,
    verification_sent_via text CONSTRAINT disputes_sent_via_check CHECK (verification_sent_via IN ('letter', 'email')),
    verification_sent_on date,
    verified_at timestamptz,
    verified_by uuid REFERENCES users (id),
    CONSTRAINT disputes_verified_check CHECK ((status = 'verified') = (verified_at IS NOT NULL AND verification_sent_via IS NOT NULL AND verification_sent_on IS NOT NULL))
);
CREATE INDEX disputes_account_idx ON disputes (account_id, raised_at);

-- The kind of debt, which with the debtor's country and region picks the
-- limitation period. Null reads as 'any'.
ALTER TABLE accounts ADD COLUMN debt_type text;

-- Statutes of limitation as data. A row for a region wins over the
-- country's row, and a row for the account's debt type over 'any'.
CREATE TABLE limitation_periods (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    country text NOT NULL CONSTRAINT limitation_periods_country_check CHECK (country ~ '^[A-Z]{2}$'),
    -- Empty for the whole country.
    region text NOT NULL DEFAULT '',
    debt_type text NOT NULL DEFAULT 'any',
    years integer NOT NULL CONSTRAINT limitation_periods_years_check CHECK (years BETWEEN 1 AND 30),
    -- The event the period runs from: the default (the account's
    -- delinquent_since) or the last payment.
    runs_from text NOT NULL CONSTRAINT limitation_periods_runs_from_check CHECK (runs_from IN ('default', 'last_payment')),
    -- Whether a payment made before the period ends starts it again.
    payment_restarts boolean NOT NULL,
    source text NOT NULL,
    CONSTRAINT limitation_periods_key UNIQUE (country, region, debt_type)
);

-- Starting rows for three jurisdictions. They state the general rule only;
-- counsel should review them, and add rows for other places, before relying
-- on them.
INSERT INTO limitation_periods (country, region, debt_type, years, runs_from, payment_restarts, source) VALUES
    ('GB', '', 'any', 6, 'default', true,
     'England and Wales: Limitation Act 1980, s. 5 (simple contract); s. 29(5) (part payment restarts the period)'),
    ('US', 'NY', 'any', 3, 'default', false,
     'New York: CPLR 214-i (consumer credit transactions); a payment does not revive or extend the period (GOL 17-101)'),
    ('IN', '', 'any', 3, 'default', true,
     'India: Limitation Act 1963, Schedule, art. 19 (money lent); s. 19 (a payment on account, acknowledged in writing, starts a fresh period)');
