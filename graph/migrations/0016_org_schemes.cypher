// Organisations from other countries' open data are keyed by `SCHEME-id` (UA-EDR-00032945) and
// have no USCC: their key is their natural key, unique like the USCC of Chinese ones (whose key
// is the USCC itself), and the scheme is looked up when a market is read per country.
CREATE CONSTRAINT organization_key IF NOT EXISTS FOR (n:Organization) REQUIRE n.key IS UNIQUE;
CREATE INDEX organization_scheme IF NOT EXISTS FOR (n:Organization) ON (n.scheme);
