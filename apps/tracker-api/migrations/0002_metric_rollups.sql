CREATE TABLE "metric_rollups" (
	"run_id" uuid NOT NULL,
	"key" text NOT NULL,
	"width" integer NOT NULL,
	"block" bigint NOT NULL,
	"mn" double precision[] NOT NULL,
	"mx" double precision[] NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "metric_rollups_run_id_key_width_block_pk" PRIMARY KEY("run_id","key","width","block")
);
