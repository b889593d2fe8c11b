-- Cash and cheques a field collector took, gathered for one bank deposit.
-- The collector declares control totals; closing the batch compares them
-- with the payments in it and records any difference.
CREATE TABLE deposit_batches (
    id uuid PRIMARY KEY,
    creditor_id uuid NOT NULL REFERENCES creditors (id) ON DELETE CASCADE,
    collector_id uuid NOT NULL REFERENCES users (id),
    currency char(3) NOT NULL,
    control_count integer NOT NULL CONSTRAINT deposit_batches_control_count_check CHECK (control_count >= 0),
    control_amount bigint NOT NULL CONSTRAINT deposit_batches_control_amount_check CHECK (control_amount >= 0),
    status text NOT NULL DEFAULT 'open' CONSTRAINT deposit_batches_status_check CHECK (status IN ('open', 'balanced', 'difference')),
    opened_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    closed_by uuid REFERENCES users (id),
    deposit_reference text,
    actual_count integer,
    actual_amount bigint,
    note text,
    CONSTRAINT deposit_batches_closed_check CHECK ((status = 'open') = (closed_at IS NULL))
);
CREATE INDEX deposit_batches_collector_idx ON deposit_batches (collector_id, status);
COMMENT ON COLUMN deposit_batches.status IS
    'open takes payments; balanced or difference once closed, by whether the payments match the control totals.';

ALTER TABLE payments ADD COLUMN deposit_batch_id uuid REFERENCES deposit_batches (id);
ALTER TABLE payments ADD COLUMN batched_at timestamptz;
ALTER TABLE payments ADD COLUMN batched_by uuid REFERENCES users (id);
CREATE INDEX payments_deposit_batch_idx ON payments (deposit_batch_id);
