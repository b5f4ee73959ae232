# Image for fly.toml (not built in CI here: these machines have no container engine).
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN useradd --system --home /app eduflow
WORKDIR /app
COPY --from=build /src/target/release/eduflow /usr/local/bin/eduflow
COPY tenants /app/tenants
USER eduflow
EXPOSE 8080
CMD ["eduflow", "serve"]
