DROP TABLE idempotency_keys;
DROP TABLE receipt_deliveries;
DROP TABLE receipts;
ALTER TABLE journal_entries DROP COLUMN payment_id;
DROP TABLE payment_parts;
DROP TABLE payments;
DROP TABLE receipt_books;
ALTER TABLE accounts DROP COLUMN unapplied_credit, DROP COLUMN ledger_through;
ALTER TABLE creditors DROP COLUMN allocation_order, DROP COLUMN returned_payment_fee,
    DROP COLUMN returned_payment_fee_jurisdictions;
ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_ledger_account_check;
ALTER TABLE journal_lines ADD CONSTRAINT journal_lines_ledger_account_check CHECK (ledger_account IN
    ('debtor_principal', 'debtor_interest', 'debtor_fees', 'creditor_placements'));
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_kind_check;
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_kind_check CHECK (kind IN ('placement', 'placement_adjustment'));
