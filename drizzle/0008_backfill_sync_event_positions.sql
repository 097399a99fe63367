-- Existing events get positions in the order the list showed them, (created_at, id); the column's
-- sequence is already past the row count, so new events follow them.
UPDATE "sync_events" AS e SET "position" = o.rn
FROM (SELECT "id", row_number() OVER (ORDER BY "created_at", "id") AS rn FROM "sync_events") AS o
WHERE e."id" = o."id";
