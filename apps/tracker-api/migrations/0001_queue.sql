CREATE TABLE "runners" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"token_id" integer,
	"hostname" text NOT NULL,
	"capabilities" jsonb NOT NULL,
	"labels" text[] DEFAULT '{}'::text[] NOT NULL,
	"queues" text[] DEFAULT '{default}'::text[] NOT NULL,
	"slots" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"gpu_stats" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stopped_at" timestamp with time zone,
	CONSTRAINT "runners_name_unique" UNIQUE("name")
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "runner_id" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "runner_slot" integer;--> statement-breakpoint
CREATE INDEX "runs_queued_pick_idx" ON "runs" USING btree ("queue","priority" DESC NULLS LAST,"created_at") WHERE status = 'queued';--> statement-breakpoint
CREATE INDEX "runs_lease_idx" ON "runs" USING btree ("lease_expires_at") WHERE lease_expires_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "runs_runner_idx" ON "runs" USING btree ("runner_id");