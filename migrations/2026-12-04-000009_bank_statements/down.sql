DROP INDEX accounts_ref_lower_idx;
DROP TABLE bank_statement_entries;
DROP TABLE bank_statements;
DROP TABLE bank_statement_imports;
