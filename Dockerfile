# The image for `api` and `projector` in docker-compose.yml. No Java inside: SEARCH_URL points
# at the compose search service, so the local search node launcher is never used here.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Only what the package needs (no .venv, node data or databases from a developer's tree).
COPY pyproject.toml README.md ./
COPY *.py ./
COPY cli/ cli/
COPY commands/ commands/
COPY database/ database/
COPY demo/ demo/
COPY identity/ identity/
COPY http_limits/ http_limits/
COPY playground/ playground/
COPY projections/ projections/
COPY queries/ queries/
COPY read_model/ read_model/
COPY schema/ schema/
COPY search_engine/ search_engine/
# cli/ builds `orders bench`'s arguments from benchmarks/, which uses tools/.
COPY benchmarks/ benchmarks/
COPY tools/ tools/
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home orders

USER orders
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=10 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["orders", "serve", "--host", "0.0.0.0", "--port", "8000"]
