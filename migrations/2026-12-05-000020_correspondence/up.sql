-- Letter and email templates with immutable versions, and the log of every
-- letter and email generated for an account (api/src/services/correspondence).

CREATE TABLE templates (
    id uuid PRIMARY KEY,
    -- Null for a template every creditor may use.
    creditor_id uuid REFERENCES creditors (id) ON DELETE CASCADE,
    key text NOT NULL CONSTRAINT templates_key_check CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
    name text NOT NULL,
    channel text NOT NULL CONSTRAINT templates_channel_check CHECK (channel IN ('letter', 'email')),
    -- True when the content speaks of legal action, which a time-barred debt forbids.
    mentions_legal_action boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- NULLS NOT DISTINCT makes a global key unique as well.
CREATE UNIQUE INDEX templates_creditor_key_idx ON templates (creditor_id, key) NULLS NOT DISTINCT;

-- An edit adds a version; a version never changes, so every logged letter
-- names the exact text it was made from.
CREATE TABLE template_versions (
    id uuid PRIMARY KEY,
    template_id uuid NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
    version integer NOT NULL CONSTRAINT template_versions_version_check CHECK (version >= 1),
    subject text NOT NULL,
    body text NOT NULL,
    -- Null for the versions this migration seeds.
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT template_versions_template_version_key UNIQUE (template_id, version)
);

CREATE FUNCTION template_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'template versions cannot be changed; add a new version instead';
END;
$$;
CREATE TRIGGER template_versions_immutable BEFORE UPDATE ON template_versions
    FOR EACH ROW EXECUTE FUNCTION template_versions_immutable();

CREATE TABLE correspondence_batches (
    id uuid PRIMARY KEY,
    creditor_id uuid REFERENCES creditors (id) ON DELETE CASCADE,
    template_version_id uuid NOT NULL REFERENCES template_versions (id),
    requested integer NOT NULL,
    generated integer NOT NULL,
    queued integer NOT NULL,
    blocked integer NOT NULL,
    failed integer NOT NULL,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per letter or email on an account, including those the contact
-- rules blocked in a batch.
CREATE TABLE correspondence (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    template_version_id uuid NOT NULL REFERENCES template_versions (id),
    batch_id uuid REFERENCES correspondence_batches (id) ON DELETE CASCADE,
    channel text NOT NULL CONSTRAINT correspondence_channel_check CHECK (channel IN ('letter', 'email')),
    status text NOT NULL CONSTRAINT correspondence_status_check
        CHECK (status IN ('generated', 'queued', 'sending', 'sent', 'failed', 'blocked')),
    -- Reason codes of the contact rules, for status 'blocked'.
    blocked_reasons text[] NOT NULL DEFAULT '{}',
    -- The merged text as generated; null when blocked before merging.
    subject text,
    body text,
    -- A letter's sender (the creditor's name), date and address block as
    -- printed, so a reprint matches the first print.
    sender text,
    letter_date date,
    address_lines text[] NOT NULL DEFAULT '{}',
    -- The address an email goes to.
    email_id uuid REFERENCES debtor_emails (id) ON DELETE SET NULL,
    -- Secret of the opt-out link in an email.
    opt_out_token text UNIQUE,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE INDEX correspondence_account_idx ON correspondence (account_id, created_at);
CREATE INDEX correspondence_batch_idx ON correspondence (batch_id);
CREATE INDEX correspondence_queued_idx ON correspondence (next_attempt_at) WHERE status = 'queued';
CREATE INDEX correspondence_sending_idx ON correspondence (next_attempt_at) WHERE status = 'sending';

-- Default templates for every creditor, version 1 of each.
WITH seeded (key, name, channel, mentions_legal_action, subject, body) AS (VALUES
    ('validation_notice', 'Validation notice', 'letter', false,
     'Validation notice for account {{account.reference}}',
     E'Dear {{debtor.name}},\n\n{{creditor.name}} has placed account {{account.reference}} with us for collection.\n\nAs of {{itemization.date}}, the itemization date, you owed {{itemization.amount}}. Since then interest, fees, payments and credits have changed the amount. You now owe:\n\nPrincipal: {{account.principal}}\nInterest: {{account.interest}}\nFees: {{account.fees}}\nTotal: {{account.balance}}\n\nIf you write to us within 30 days of receiving this notice to say that you dispute all or part of the debt, we will stop collection of the disputed amount until we send you verification. You may also ask for the name and address of the original creditor.\n\nDate of this notice: {{today}}.'),
    ('reminder', 'Payment reminder', 'letter', false,
     'Reminder: account {{account.reference}}',
     E'Dear {{debtor.name}},\n\nThis is a reminder that account {{account.reference}} with {{creditor.name}} has a balance of {{account.balance}} as of {{today}}.\n\nPlease pay the balance or contact us to agree a repayment plan that suits you.'),
    ('reminder_email', 'Payment reminder by email', 'email', false,
     'Reminder: account {{account.reference}}',
     E'Dear {{debtor.name}},\n\nThis is a reminder that account {{account.reference}} with {{creditor.name}} has a balance of {{account.balance}} as of {{today}}.\n\nPlease pay the balance or reply to agree a repayment plan that suits you.'),
    ('notice', 'Notice of balance due', 'letter', false,
     'Notice: balance due on account {{account.reference}}',
     E'Dear {{debtor.name}},\n\nWe have not received payment on account {{account.reference}} with {{creditor.name}}. The balance due on {{today}} is {{account.balance}}.\n\nPlease pay within 14 days of this notice, or contact us to discuss how you can pay.'),
    ('final_demand', 'Final demand', 'letter', true,
     'Final demand: account {{account.reference}}',
     E'Dear {{debtor.name}},\n\nDespite earlier letters, account {{account.reference}} with {{creditor.name}} remains unpaid. The balance on {{today}} is {{account.balance}}.\n\nIf you do not pay this balance or agree a repayment plan within 14 days, {{creditor.name}} may start legal action to recover the debt without further notice.'),
    ('plan_confirmation', 'Repayment plan confirmation', 'letter', false,
     'Your repayment plan for account {{account.reference}}',
     E'Dear {{debtor.name}},\n\nThank you for agreeing a repayment plan for account {{account.reference}} with {{creditor.name}}.\n\nThe plan has {{plan.instalment_count}} instalments starting on {{plan.start_date}}, and the total to pay is {{plan.total}}.\n\nPlease pay each instalment on time. If you cannot, contact us before the due date.'),
    ('settlement_offer', 'Settlement offer', 'letter', false,
     'Settlement offer for account {{account.reference}}',
     E'Dear {{debtor.name}},\n\n{{creditor.name}} will accept {{plan.settlement_amount}} in full settlement of account {{account.reference}}, whose balance on {{today}} is {{account.balance}}.\n\nThe settlement starts on {{plan.start_date}}. Once it is paid, the rest of the balance is forgiven and the account is closed as settled.')
), inserted AS (
    INSERT INTO templates (id, creditor_id, key, name, channel, mentions_legal_action)
    SELECT gen_random_uuid(), NULL, key, name, channel, mentions_legal_action FROM seeded
    RETURNING id, key
)
INSERT INTO template_versions (id, template_id, version, subject, body)
SELECT gen_random_uuid(), inserted.id, 1, seeded.subject, seeded.body
FROM inserted JOIN seeded USING (key);
