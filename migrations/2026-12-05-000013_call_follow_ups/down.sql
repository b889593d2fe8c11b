DROP INDEX follow_up_tasks_account_idx;
ALTER TABLE calls DROP COLUMN promise_id;
DELETE FROM follow_up_tasks WHERE kind = 'call_follow_up';
ALTER TABLE follow_up_tasks DROP CONSTRAINT follow_up_tasks_kind_check;
ALTER TABLE follow_up_tasks ADD CONSTRAINT follow_up_tasks_kind_check
    CHECK (kind IN ('broken_promise', 'missed_instalment', 'broken_plan'));
