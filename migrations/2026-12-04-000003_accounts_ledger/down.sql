DROP TABLE journal_lines;
DROP TABLE journal_entries;
DROP FUNCTION journal_check_balanced();
DROP FUNCTION journal_reject_change();
DROP TABLE accounts;
