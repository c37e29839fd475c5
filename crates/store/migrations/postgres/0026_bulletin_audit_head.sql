-- The audit chain's head (SEQ:MAC) when a bulletin was published, printed on it: a copy of the
-- head outside the database, so that a later `luodi audit verify --head` shows whether the
-- newest records were cut off and the head rewound.
ALTER TABLE bulletins ADD COLUMN audit_head TEXT;
