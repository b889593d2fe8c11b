DROP INDEX debtor_addresses_debtor_fields_key;
DROP INDEX debtor_emails_debtor_address_key;
DROP INDEX debtor_phones_debtor_raw_key;
ALTER TABLE accounts DROP COLUMN last_import_id;
