-- Segment conditions on events ("Order Completed twice in 90 days") read
-- the customer of every matching event: with customer_id in the index the
-- scan never visits the events themselves (BENCHMARKS.md: a three-condition
-- segment over a million customers and 20 million events took 16 s without).
CREATE INDEX events_name_ts_customer ON events(name, ts_us, customer_id);
DROP INDEX events_name_ts;
