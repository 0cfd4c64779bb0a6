// Natural keys. Every node carries the Entity label and a uid ("org:<USCC>", "person:<hash>",
// "lot:<id>", ...) so one unique index serves every lookup by id.
CREATE CONSTRAINT entity_uid IF NOT EXISTS FOR (n:Entity) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT organization_uscc IF NOT EXISTS FOR (n:Organization) REQUIRE n.uscc IS UNIQUE;
CREATE CONSTRAINT person_id_hash IF NOT EXISTS FOR (n:Person) REQUIRE n.id_hash IS UNIQUE;
CREATE CONSTRAINT group_key IF NOT EXISTS FOR (n:Group) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT project_key IF NOT EXISTS FOR (n:Project) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT lot_key IF NOT EXISTS FOR (n:Lot) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT bid_key IF NOT EXISTS FOR (n:Bid) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT award_key IF NOT EXISTS FOR (n:Award) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT contract_key IF NOT EXISTS FOR (n:Contract) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT violation_key IF NOT EXISTS FOR (n:Violation) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT listing_key IF NOT EXISTS FOR (n:ExternalListing) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT complaint_key IF NOT EXISTS FOR (n:Complaint) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT evaluation_key IF NOT EXISTS FOR (n:Evaluation) REQUIRE n.key IS UNIQUE;
