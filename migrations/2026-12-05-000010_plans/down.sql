DROP TABLE daily_runs;
DROP TABLE follow_up_tasks;
DROP TABLE promises;
DROP TABLE plan_instalments;
DROP TABLE plans;
ALTER TABLE creditors DROP COLUMN repayment_policy;
ALTER TABLE journal_lines DROP CONSTRAINT journal_lines_ledger_account_check;
ALTER TABLE journal_lines ADD CONSTRAINT journal_lines_ledger_account_check CHECK (ledger_account IN
    ('debtor_principal', 'debtor_interest', 'debtor_fees', 'debtor_unapplied_credit',
     'creditor_placements', 'creditor_collections', 'creditor_fee_income'));
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_kind_check;
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_kind_check CHECK (kind IN
    ('placement', 'placement_adjustment', 'payment', 'reallocation', 'reversal', 'returned_payment_fee'));
