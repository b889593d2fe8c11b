DROP TABLE limitation_periods;
ALTER TABLE accounts DROP COLUMN debt_type;
DROP TABLE disputes;
