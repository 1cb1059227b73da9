DROP INDEX "runs_queued_pick_idx";--> statement-breakpoint
CREATE INDEX "runs_queued_order_idx" ON "runs" USING btree ("priority" DESC NULLS FIRST,"created_at","id") WHERE status = 'queued';--> statement-breakpoint
CREATE INDEX "runs_queued_pick_idx" ON "runs" USING btree ("queue","priority" DESC NULLS FIRST,"created_at","id") WHERE status = 'queued';