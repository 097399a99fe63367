-- Contacts linked before pinpoint_synced_at existed: their last update is the best known sync time,
-- so the ATS reconciler's window (ATS_RECONCILE_WINDOW_DAYS) covers them too.
UPDATE "campaign_contacts" SET "pinpoint_synced_at" = "updated_at"
WHERE "pinpoint_application_id" IS NOT NULL AND "pinpoint_synced_at" IS NULL;
