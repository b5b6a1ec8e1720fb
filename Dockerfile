# One image for the API, the worker and the sandbox; the command picks the role.
# Built in two stages: wheels in a builder, a slim runtime without build tools; non-root.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml constraints.txt ./
COPY app ./app
COPY intercom_sandbox ./intercom_sandbox
RUN pip wheel --wheel-dir /wheels -c constraints.txt '.[sandbox]'

FROM python:3.11-slim
# PYTHONPATH: the source in /srv comes first, so that `intercom-sync migrate` finds
# alembic.ini and migrations/ beside the package, as in a checkout.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 PYTHONPATH=/srv
WORKDIR /srv
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links /wheels /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --no-create-home app
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
COPY intercom_sandbox ./intercom_sandbox
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["uvicorn", "app.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
