-- Workers erase ahead of their own streams (projections/applier.py `erase_ahead`): each looks, about
-- ten times a second, for erasures recorded in the last minutes that it has not fenced yet.
CREATE INDEX IF NOT EXISTS erasures_requested_at ON erasures (requested_at);
