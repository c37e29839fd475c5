-- A bulletin computed before its week's reports were all past their deadline is provisional:
-- it shows how the week stands so far, proposes no interview and cannot be published until it
-- is computed again once the week is closed. Bulletins computed before this flag are taken as
-- final.
ALTER TABLE bulletins ADD COLUMN provisional BOOLEAN NOT NULL DEFAULT FALSE;
