CREATE TABLE "sweeps" (
	"id" uuid PRIMARY KEY NOT NULL,
	"project_id" integer NOT NULL,
	"name" text NOT NULL,
	"method" text NOT NULL,
	"status" text NOT NULL,
	"config" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "sweep_id" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "sweep_index" integer;--> statement-breakpoint
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sweeps_project_created_idx" ON "sweeps" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE INDEX "sweeps_running_idx" ON "sweeps" USING btree ("status") WHERE status = 'running';--> statement-breakpoint
CREATE UNIQUE INDEX "runs_sweep_index_idx" ON "runs" USING btree ("sweep_id","sweep_index") WHERE sweep_id IS NOT NULL;