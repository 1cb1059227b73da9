CREATE TABLE "metric_attempts" (
	"run_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"first_step" bigint NOT NULL,
	"first_time_ms" double precision NOT NULL,
	CONSTRAINT "metric_attempts_run_id_attempt_pk" PRIMARY KEY("run_id","attempt")
);
--> statement-breakpoint
ALTER TABLE "metric_points" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;