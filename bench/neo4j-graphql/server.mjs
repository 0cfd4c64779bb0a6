// The official Neo4j GraphQL library (@neo4j/graphql 7) on Apollo Server, serving the supplier
// data our supplierEligibility reads, for the side-by-side benchmark (bench/eligibility_compare.py).
// Apollo Server caches parsed and validated documents (its default in-memory documentStore),
// so a repeated query is neither re-parsed nor re-validated.
// Env: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE, PORT (default 4000).
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const env = process.env;
const typeDefs = readFileSync(new URL("./type-defs.graphql", import.meta.url), "utf8");
const driver = neo4j.driver(
  env.NEO4J_URI ?? "neo4j://127.0.0.1:7687",
  neo4j.auth.basic(env.NEO4J_USER ?? "neo4j", env.NEO4J_PASSWORD ?? ""),
  { maxConnectionPoolSize: 50, disableLosslessIntegers: true },
);
await driver.verifyConnectivity();
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema, introspection: false });
const sessionConfig = { database: env.NEO4J_DATABASE ?? "neo4j" };
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(env.PORT ?? 4000) },
  context: async () => ({ sessionConfig }),
});
console.log(`ready ${url}`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await server.stop();
    await driver.close();
    process.exit(0);
  });
}
