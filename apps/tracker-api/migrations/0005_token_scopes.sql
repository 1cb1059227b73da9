ALTER TABLE "api_tokens" ADD COLUMN "projects" jsonb;--> statement-breakpoint
ALTER TABLE "artifacts" ADD COLUMN "token_id" integer;--> statement-breakpoint
ALTER TABLE "artifacts" ADD COLUMN "token_scope" text;