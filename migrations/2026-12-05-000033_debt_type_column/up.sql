-- The standard placement layout reads the kind of debt from a `debt_type`
-- column when the file has one; the limitation period depends on it.
UPDATE import_profiles
SET config = jsonb_set(config, '{columns,debt_type}', '"debt_type"')
WHERE id = '00000000-0000-7000-8000-000000000002';

ALTER TABLE accounts ADD CONSTRAINT accounts_debt_type_check CHECK (debt_type IN
    ('credit_card', 'personal_loan', 'auto_loan', 'student_loan', 'mortgage', 'medical', 'utility', 'telecom',
     'written_contract', 'oral_contract', 'open_account', 'other'));
-- NOT VALID: rows an operator added before this migration stay, and only
-- new or changed rows must use the list.
ALTER TABLE limitation_periods ADD CONSTRAINT limitation_periods_debt_type_check CHECK (debt_type IN
    ('any', 'credit_card', 'personal_loan', 'auto_loan', 'student_loan', 'mortgage', 'medical', 'utility', 'telecom',
     'written_contract', 'oral_contract', 'open_account', 'other')) NOT VALID;
