DROP INDEX "sync_events_team_created_idx";--> statement-breakpoint
DROP INDEX "sync_events_campaign_created_idx";--> statement-breakpoint
ALTER TABLE "sync_events" ADD COLUMN "position" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "sync_events_team_position_idx" ON "sync_events" USING btree ("team_id","position");--> statement-breakpoint
CREATE INDEX "sync_events_campaign_position_idx" ON "sync_events" USING btree ("campaign_id","position");