CREATE TYPE "public"."activity_type" AS ENUM('MESSAGE_SENT', 'REPLY_RECEIVED', 'MARKED_INTERESTED', 'CALL_LOGGED', 'MEETING_BOOKED');--> statement-breakpoint
CREATE TYPE "public"."connection_status" AS ENUM('NOT_CONNECTED', 'CONNECTED', 'ERROR');--> statement-breakpoint
CREATE TYPE "public"."contact_stage" AS ENUM('ADDED', 'REPLIED', 'INTERESTED');--> statement-breakpoint
CREATE TYPE "public"."integration_provider" AS ENUM('PINPOINT');--> statement-breakpoint
CREATE TYPE "public"."note_status" AS ENUM('NOT_APPLICABLE', 'PENDING', 'HELD', 'WRITTEN', 'SKIPPED');--> statement-breakpoint
CREATE TYPE "public"."outreach_channel" AS ENUM('EMAIL', 'LINKEDIN', 'INMAIL', 'SMS', 'CALL');--> statement-breakpoint
CREATE TYPE "public"."sync_as" AS ENUM('APPLICATION', 'DO_NOT_SYNC');--> statement-breakpoint
CREATE TYPE "public"."sync_job_status" AS ENUM('QUEUED', 'RUNNING', 'DONE', 'PAUSED', 'DEAD');--> statement-breakpoint
CREATE TYPE "public"."sync_status" AS ENUM('NOT_SYNCED', 'PENDING', 'SYNCED', 'BLOCKED', 'FAILED', 'SKIPPED');--> statement-breakpoint
CREATE TABLE "activities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"campaign_contact_id" uuid NOT NULL,
	"type" "activity_type" NOT NULL,
	"channel" "outreach_channel",
	"occurred_at" timestamp with time zone NOT NULL,
	"subject" text,
	"body" text,
	"actor_user_id" uuid,
	"note_status" "note_status" DEFAULT 'NOT_APPLICABLE' NOT NULL,
	"pinpoint_comment_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_contacts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"stage" "contact_stage" DEFAULT 'ADDED' NOT NULL,
	"sync_status" "sync_status" DEFAULT 'NOT_SYNCED' NOT NULL,
	"last_sync_error" text,
	"blocked_fields" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"pinpoint_candidate_id" text,
	"pinpoint_application_id" text,
	"pinpoint_job_id" text,
	"override_sync_as" "sync_as",
	"override_options" jsonb,
	"override_options_set_by_admin" boolean DEFAULT false NOT NULL,
	"override_field_values" jsonb,
	"override_updated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL,
	"name" text NOT NULL,
	"channel" "outreach_channel" NOT NULL,
	"sync_as" "sync_as" NOT NULL,
	"options" jsonb,
	"options_set_by_admin" boolean DEFAULT false NOT NULL,
	"field_values" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"email" text NOT NULL,
	"first_name" text,
	"last_name" text,
	"phone" text,
	"company" text,
	"job_title" text,
	"location" text,
	"linkedin_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"provider" "integration_provider" NOT NULL,
	"status" "connection_status" DEFAULT 'NOT_CONNECTED' NOT NULL,
	"status_code" text,
	"status_reason" text,
	"domain" text,
	"api_key_sealed" text,
	"api_key_hint" text,
	"connected_at" timestamp with time zone,
	"last_checked_at" timestamp with time zone,
	"key_generation" integer DEFAULT 0 NOT NULL,
	"breaker_failures" integer DEFAULT 0 NOT NULL,
	"breaker_open_until" timestamp with time zone,
	"next_request_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "processed_events" (
	"team_id" uuid NOT NULL,
	"event_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "processed_events_team_id_event_id_pk" PRIMARY KEY("team_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "sync_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"campaign_id" uuid,
	"campaign_contact_id" uuid,
	"kind" text NOT NULL,
	"status" "sync_status",
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"campaign_contact_id" uuid NOT NULL,
	"payload" jsonb NOT NULL,
	"status" "sync_job_status" DEFAULT 'QUEUED' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "team_settings" (
	"team_id" uuid PRIMARY KEY NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"field_mappings" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_settings" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_campaign_contact_id_campaign_contacts_id_fk" FOREIGN KEY ("campaign_contact_id") REFERENCES "public"."campaign_contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD CONSTRAINT "campaign_contacts_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD CONSTRAINT "campaign_contacts_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_contacts" ADD CONSTRAINT "campaign_contacts_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "processed_events" ADD CONSTRAINT "processed_events_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_events" ADD CONSTRAINT "sync_events_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_events" ADD CONSTRAINT "sync_events_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_events" ADD CONSTRAINT "sync_events_campaign_contact_id_campaign_contacts_id_fk" FOREIGN KEY ("campaign_contact_id") REFERENCES "public"."campaign_contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_jobs" ADD CONSTRAINT "sync_jobs_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_jobs" ADD CONSTRAINT "sync_jobs_campaign_contact_id_campaign_contacts_id_fk" FOREIGN KEY ("campaign_contact_id") REFERENCES "public"."campaign_contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_settings" ADD CONSTRAINT "team_settings_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_settings" ADD CONSTRAINT "user_settings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_settings" ADD CONSTRAINT "user_settings_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activities_cc_idx" ON "activities" USING btree ("campaign_contact_id","occurred_at","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_contacts_campaign_contact_unique" ON "campaign_contacts" USING btree ("campaign_id","contact_id");--> statement-breakpoint
CREATE INDEX "campaign_contacts_campaign_idx" ON "campaign_contacts" USING btree ("campaign_id","created_at","id");--> statement-breakpoint
CREATE INDEX "campaign_contacts_contact_idx" ON "campaign_contacts" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "campaigns_team_created_idx" ON "campaigns" USING btree ("team_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_team_email_unique" ON "contacts" USING btree ("team_id",lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "integrations_team_provider_unique" ON "integrations" USING btree ("team_id","provider");--> statement-breakpoint
CREATE INDEX "sync_events_team_created_idx" ON "sync_events" USING btree ("team_id","created_at","id");--> statement-breakpoint
CREATE INDEX "sync_events_campaign_created_idx" ON "sync_events" USING btree ("campaign_id","created_at","id");--> statement-breakpoint
CREATE INDEX "sync_jobs_ready_idx" ON "sync_jobs" USING btree ("status","run_at");--> statement-breakpoint
CREATE INDEX "sync_jobs_cc_idx" ON "sync_jobs" USING btree ("campaign_contact_id","created_at");--> statement-breakpoint
CREATE INDEX "sync_jobs_team_idx" ON "sync_jobs" USING btree ("team_id","status");