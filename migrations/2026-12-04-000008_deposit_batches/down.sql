ALTER TABLE payments DROP COLUMN deposit_batch_id, DROP COLUMN batched_at, DROP COLUMN batched_by;
DROP TABLE deposit_batches;
