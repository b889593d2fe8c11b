-- A call logged with a follow-up date raises a task for that day.
ALTER TABLE follow_up_tasks DROP CONSTRAINT follow_up_tasks_kind_check;
ALTER TABLE follow_up_tasks ADD CONSTRAINT follow_up_tasks_kind_check
    CHECK (kind IN ('broken_promise', 'missed_instalment', 'broken_plan', 'call_follow_up'));

-- The promise taken on a call, so the timeline can show them together.
ALTER TABLE calls ADD COLUMN promise_id uuid REFERENCES promises (id) ON DELETE SET NULL;

-- The account timeline lists the account's tasks.
CREATE INDEX follow_up_tasks_account_idx ON follow_up_tasks (account_id);
