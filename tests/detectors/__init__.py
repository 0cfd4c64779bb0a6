"""Each detector's cases as rules: facts built directly, no database (one file per detector,
named after its module; tests/test_detect_registry.py checks that every detector has one)."""
