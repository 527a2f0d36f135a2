# authgate serve in a container, from a release's static binary: nothing
# is compiled here, and the image holds the binary alone (no shell, no
# libc, no package manager). `scripts/release.sh` writes the build
# context on Linux, this file and the binary for the machine's
# architecture:
#
#   scripts/release.sh --only image
#   docker build -t authgate target/dist/image
#   docker run -p 8181:8181 -v "$PWD/rules:/etc/authgate/rules:ro" authgate
#
# The release workflow puts both Linux architectures' binaries in one
# context (linux-amd64/, linux-arm64/) for a multi-platform build.
# deploy/Dockerfile, which compiles inside the image, runs the same
# command; tests/serve/deploy.rs checks that both agree with the
# Kubernetes manifests.

FROM scratch
# Set by `docker build` (buildx) from the platform: amd64 or arm64.
ARG TARGETARCH
COPY --chmod=0555 linux-${TARGETARCH}/authgate /usr/local/bin/authgate
# Not root: the uid and gid distroless images call `nonroot`. The rules
# are read-only to it; it writes nothing but the decision log, when asked.
USER 65532:65532
EXPOSE 8181
ENTRYPOINT ["/usr/local/bin/authgate"]
CMD ["serve", "/etc/authgate/rules", "--listen", "0.0.0.0:8181", "--watch"]
