-- Ties each account to the import that last wrote it, so a second row with
-- the same reference in one file is caught without holding every reference in memory.
ALTER TABLE accounts ADD COLUMN last_import_id uuid REFERENCES imports (id) ON DELETE SET NULL;

-- A re-import adds only contact data the debtor does not have yet.
CREATE UNIQUE INDEX debtor_phones_debtor_raw_key ON debtor_phones (debtor_id, raw);
CREATE UNIQUE INDEX debtor_emails_debtor_address_key ON debtor_emails (debtor_id, lower(address));
CREATE UNIQUE INDEX debtor_addresses_debtor_fields_key ON debtor_addresses (
    debtor_id, coalesce(line1, ''), coalesce(line2, ''), coalesce(city, ''),
    coalesce(region, ''), coalesce(postal_code, ''), coalesce(country, ''));
