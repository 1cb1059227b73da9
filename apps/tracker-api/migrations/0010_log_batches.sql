CREATE TABLE "run_log_batches" (
	"run_id" uuid NOT NULL,
	"batch_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_log_batches_run_id_batch_id_pk" PRIMARY KEY("run_id","batch_id")
);
