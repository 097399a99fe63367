CREATE TABLE "integration_rate_limits" (
	"integration_id" uuid PRIMARY KEY NOT NULL,
	"next_request_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "integration_rate_limits" ADD CONSTRAINT "integration_rate_limits_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" DROP COLUMN "next_request_at";