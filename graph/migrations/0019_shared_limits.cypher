// Rate-limit buckets shared by every API process and host (credit/security/limits.py): one node
// per (limit, key), taken under its write lock, so several instances keep one limit.
CREATE CONSTRAINT rate_bucket_key IF NOT EXISTS FOR (b:RateBucket) REQUIRE b.key IS UNIQUE;
