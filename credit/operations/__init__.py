"""Operating the local instance: backups and restores on Neo4j's own tools."""
