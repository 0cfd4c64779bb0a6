import { defineConfig } from "vite";

// Served by the API under /ui (credit/ui); everything bundled, nothing from a CDN.
export default defineConfig({
  base: "/ui/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rollupOptions: { input: { main: "index.html", public: "public.html" } },
  },
});
