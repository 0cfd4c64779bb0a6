# The API service. Neo4j runs as its own container (docker-compose.yml), same 5.26 LTS line
# as the local launcher and the tests. The pages under /ui are built from web/ by Node in a
# first stage (npm ci from the lock file), so the running image needs no Node and no network.
FROM node:20-slim AS pages
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web ./
RUN npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 CREDIT_UI_DIR=/app/ui
WORKDIR /app
COPY pyproject.toml README.md ./
COPY credit ./credit
COPY graph ./graph
COPY schema ./schema
COPY --from=pages /web/dist ./ui
RUN pip install . && useradd --system --uid 10001 credit
USER credit
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=12 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/ready').status != 200)"
CMD ["sh", "-c", "credit migrate && credit serve --host 0.0.0.0 --port 8000"]
