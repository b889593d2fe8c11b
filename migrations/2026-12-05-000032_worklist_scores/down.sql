DROP TRIGGER promises_worklist_score_unbroken ON promises;
DROP TRIGGER promises_worklist_score_inputs ON promises;
DROP TRIGGER calls_worklist_score_inputs ON calls;
DROP TRIGGER accounts_worklist_score_inputs ON accounts;
DROP FUNCTION worklist_score_expire_account();
DROP FUNCTION worklist_score_expire_own();
DROP TABLE worklist_scores;
ALTER TABLE accounts DROP COLUMN worklist_scored_until, DROP COLUMN worklist_score;
