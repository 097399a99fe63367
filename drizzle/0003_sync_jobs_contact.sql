ALTER TABLE "sync_jobs" ADD COLUMN "contact_id" uuid;--> statement-breakpoint
ALTER TABLE "sync_jobs" ADD CONSTRAINT "sync_jobs_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_jobs_contact_idx" ON "sync_jobs" USING btree ("contact_id","created_at");