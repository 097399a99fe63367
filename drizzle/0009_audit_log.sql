CREATE TYPE "public"."audit_action" AS ENUM('INTEGRATION_ACTIVATED', 'API_KEY_ROTATED', 'INTEGRATION_CHECKED', 'INTEGRATION_DEACTIVATED', 'WEBHOOK_SECRET_SET', 'WEBHOOK_SECRET_ROTATED', 'TEAM_SETTINGS_UPDATED', 'FIELD_MAPPINGS_SET', 'FIELD_MAPPINGS_RESET');--> statement-breakpoint
CREATE TYPE "public"."audit_target" AS ENUM('INTEGRATION', 'TEAM_SETTINGS', 'FIELD_MAPPINGS');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"team_id" uuid NOT NULL,
	"actor_user_id" uuid,
	"action" "audit_action" NOT NULL,
	"target" "audit_target" NOT NULL,
	"provider" "integration_provider",
	"before" jsonb NOT NULL,
	"after" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_team_created_idx" ON "audit_log" USING btree ("team_id","created_at","id");