ALTER TABLE limitation_periods DROP CONSTRAINT limitation_periods_debt_type_check;
ALTER TABLE accounts DROP CONSTRAINT accounts_debt_type_check;
UPDATE import_profiles SET config = config #- '{columns,debt_type}'
WHERE id = '00000000-0000-7000-8000-000000000002';
