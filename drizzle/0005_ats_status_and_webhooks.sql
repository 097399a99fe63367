CREATE TYPE "public"."ats_outcome" AS ENUM('ACTIVE', 'HIRED', 'REJECTED', 'WITHDRAWN');--> statement-breakpoint
ALTER TYPE "public"."sync_event_kind" ADD VALUE 'ATS_STAGE_CHANGED';--> statement-breakpoint
ALTER TYPE "public"."sync_event_kind" ADD VALUE 'ATS_OUTCOME';--> statement-breakpoint
ALTER TYPE "public"."sync_event_kind" ADD VALUE 'ATS_EVENT_IGNORED';--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"integration_id" uuid NOT NULL,
	"dedupe_key" text NOT NULL,
	"event" text NOT NULL,
	"application_id" text,
	"body" jsonb NOT NULL,
	"outcome" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD COLUMN "pinpoint_synced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD COLUMN "ats_stage_id" text;--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD COLUMN "ats_stage_name" text;--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD COLUMN "ats_outcome" "ats_outcome";--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD COLUMN "ats_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD COLUMN "ats_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD COLUMN "outreach_stopped" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD COLUMN "outreach_stopped_reason" text;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "webhook_id" text DEFAULT replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '') NOT NULL;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "webhook_secret_sealed" text;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "webhook_secret_hint" text;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "webhook_secret_set_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "last_webhook_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_dedupe_unique" ON "webhook_deliveries" USING btree ("integration_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_team_received_idx" ON "webhook_deliveries" USING btree ("team_id","received_at");--> statement-breakpoint
CREATE INDEX "campaign_contacts_team_application_idx" ON "campaign_contacts" USING btree ("team_id","pinpoint_application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "integrations_webhook_id_unique" ON "integrations" USING btree ("webhook_id");