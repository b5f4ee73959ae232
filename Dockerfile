# Image for fly.toml (not built in CI here: these machines have no container engine).
FROM rust:1-bookworm AS build
WORKDIR /src
# SAML signatures are checked with xmlsec, bound through bindgen (libclang).
RUN apt-get update && apt-get install -y --no-install-recommends libxmlsec1-dev libxml2-dev libclang-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libxmlsec1 libxmlsec1-openssl libxml2 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --home /app eduflow
WORKDIR /app
COPY --from=build /src/target/release/eduflow /usr/local/bin/eduflow
COPY tenants /app/tenants
USER eduflow
EXPOSE 8080
CMD ["eduflow", "serve"]
