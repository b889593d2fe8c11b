-- Column-mapping profiles for placement files, stored and reusable.
CREATE TABLE import_profiles (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE CONSTRAINT import_profiles_name_check CHECK (name ~ '^[a-z0-9_]{1,64}$'),
    description text NOT NULL DEFAULT '',
    config jsonb NOT NULL,
    built_in boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO import_profiles (id, name, description, config, built_in) VALUES (
    '00000000-0000-7000-8000-000000000001',
    'lending_club',
    'Lending Club loan export: charged-off, late and in-grace loans become accounts; paid, current and settled loans are skipped.',
    '{"kind": "lending_club", "delimiter": null, "encoding": null, "decimal_separator": "point", "rounding": "half_even", "date_formats": ["%b-%Y"], "default_currency": "USD", "default_country": "US", "columns": {"phones": [], "emails": []}}',
    true
), (
    '00000000-0000-7000-8000-000000000002',
    'standard',
    'Recovery Desk''s own placement layout: one row per account with columns named after the fields.',
    '{"kind": "columns", "delimiter": null, "encoding": null, "decimal_separator": "point", "rounding": "half_even", "date_formats": ["%Y-%m-%d"], "default_currency": "USD", "default_country": "US",
      "columns": {"account_ref": "account_ref", "debtor_ref": "debtor_ref", "debtor_name": "debtor_name", "debtor_kind": "debtor_kind", "currency": "currency",
                  "principal": "principal", "interest": "interest", "fees": "fees", "opened_on": "opened_on", "last_payment_on": "last_payment_on",
                  "delinquent_since": "delinquent_since", "charged_off_on": "charged_off_on", "address_line1": "address_line1", "address_line2": "address_line2",
                  "city": "city", "region": "region", "postal_code": "postal_code", "country": "country", "phones": ["phone", "phone2"], "emails": ["email"]}}',
    true
);

CREATE TABLE imports (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    profile_id uuid NOT NULL REFERENCES import_profiles (id),
    file_name text NOT NULL,
    status text NOT NULL CONSTRAINT imports_status_check CHECK (status IN ('running', 'completed', 'failed')),
    started_by uuid REFERENCES users (id),
    rows bigint NOT NULL DEFAULT 0,
    imported bigint NOT NULL DEFAULT 0,
    updated bigint NOT NULL DEFAULT 0,
    unchanged bigint NOT NULL DEFAULT 0,
    skipped bigint NOT NULL DEFAULT 0,
    rejected bigint NOT NULL DEFAULT 0,
    bytes_read bigint NOT NULL DEFAULT 0,
    bytes_total bigint NOT NULL DEFAULT 0,
    report jsonb,
    failure text,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
COMMENT ON COLUMN imports.report IS 'The final ImportReport counts and skip reasons; rejected rows are in import_rejections.';
CREATE INDEX imports_started_idx ON imports (started_at DESC, id);

-- One row per problem; a rejected line may have several.
CREATE TABLE import_rejections (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line bigint NOT NULL,
    column_name text,
    code text NOT NULL,
    message text NOT NULL
);
CREATE INDEX import_rejections_import_line_idx ON import_rejections (import_id, line);
