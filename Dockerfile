# Build:  docker build -t ghcr.io/gitopsd/gitopsd:0.1.0 .
FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config git ca-certificates \
      libgit2-dev libcurl4-openssl-dev rapidjson-dev libyaml-cpp-dev libboost1.81-dev libfmt-dev libcli11-dev \
      libssl-dev libre2-dev libyaml-dev libgpgme-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake --preset release && cmake --build --preset release && strip build-release/gitopsd

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      ca-certificates libgit2-1.5 libcurl4 libyaml-cpp0.7 libfmt9 \
      libssl3 libre2-9 libyaml-0-2 libgpgme11 gpg gpg-agent gpgconf tini \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build-release/gitopsd /usr/local/bin/gitopsd
USER 65532:65532
# OpenPGP decryption starts a gpg-agent per render; it is stopped afterwards, and tini as PID 1
# reaps it (gpg detaches it, so it would otherwise stay a zombie of gitopsd).
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/gitopsd"]
CMD ["run"]
