DROP TABLE contact_holds;
DROP INDEX calls_account_idx;
DROP TABLE calls;
