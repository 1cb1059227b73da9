CREATE TABLE "live_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project" text NOT NULL,
	"run_id" uuid,
	"kind" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
