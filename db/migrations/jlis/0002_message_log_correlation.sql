ALTER TABLE "message_log" ADD COLUMN "correlation_id" text;--> statement-breakpoint
CREATE INDEX "message_log_correlation_idx" ON "message_log" USING btree ("correlation_id");