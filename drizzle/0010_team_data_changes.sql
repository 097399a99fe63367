-- Every change to the rows a cached read may contain says which team it touched: NOTIFY
-- bff_team_data with the team id, delivered on commit (several rows of one team in one transaction
-- make one notification). src/db/team-changes.ts listens; src/app/read-cache.ts drops that team's
-- cached answers. Row triggers, so writes from any process or tool are seen, not only the API's;
-- TRUNCATE (no row triggers) sends '*': every team's cached answers go.
CREATE OR REPLACE FUNCTION "bff_notify_team_data"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('bff_team_data', OLD."team_id"::text);
  ELSE
    PERFORM pg_notify('bff_team_data', NEW."team_id"::text);
    IF TG_OP = 'UPDATE' AND NEW."team_id" IS DISTINCT FROM OLD."team_id" THEN
      PERFORM pg_notify('bff_team_data', OLD."team_id"::text);
    END IF;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "bff_notify_all_team_data"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('bff_team_data', '*');
  RETURN NULL;
END
$$;
--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'user_settings', 'team_settings', 'contacts', 'campaigns', 'campaign_contacts'] LOOP
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION "bff_notify_team_data"()',
      t || '_team_data', t);
    EXECUTE format(
      'CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "bff_notify_all_team_data"()',
      t || '_team_data_truncate', t);
  END LOOP;
END
$$;
