# Wi-Fi federation controller: RADIUS (UDP 1812/1813), captive portal (8080), API + metrics (8081).
#
#   docker build -t wfc .
#   docker run -d --name wfc -p 1812:1812/udp -p 1813:1813/udp -p 8080:8080 -p 127.0.0.1:8081:8081 \
#     -v wfc-data:/var/lib/wfc wfc
#
# See docs/deploy.md.

ARG NODE_MAJOR=20

# ---------------------------------------------------------------- build
FROM node:${NODE_MAJOR}-bookworm AS build

# Toolchain for the native addons better-sqlite3 and argon2 (node-gyp). The full bookworm image
# already ships them; installing them by name keeps this stage correct if the base image slims down.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Why --ignore-scripts + rebuild instead of a plain `npm ci`:
# package.json's `prepare` script runs tsc, and `npm ci` runs `prepare`. With only the manifests
# copied (so that this dependency layer stays cached until package-lock.json changes), tsc would
# fail for lack of sources. The other way, copying all sources before `npm ci`, works too but
# reinstalls and recompiles every dependency on any source change. So: install without lifecycle
# scripts, then run the install scripts of the two native addons only, then build explicitly.
# No other runtime dependency needs an install script; dev dependencies that have one (esbuild
# under vitest) are not used by `tsc` and are pruned below.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# Compile both addons from source instead of fetching prebuilt binaries, and against the image's
# own Node headers when it has them (official images unpack the Node tarball, include/ and all,
# into /usr/local), so node-gyp needs no header download. Then load both to fail early.
RUN export npm_config_build_from_source=true \
 && if [ -f /usr/local/include/node/common.gypi ]; then export npm_config_nodedir=/usr/local; fi \
 && npm rebuild better-sqlite3 argon2 \
 && node -e "new (require('better-sqlite3'))(':memory:').close(); require('argon2')"

COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts

# ---------------------------------------------------------------- runtime
# Same Node major and the same Debian release (glibc) as the build stage, so the compiled addons load.
FROM node:${NODE_MAJOR}-bookworm-slim AS runtime

RUN groupadd --system --gid 10001 wfc \
 && useradd --system --uid 10001 --gid wfc --home-dir /var/lib/wfc --no-create-home \
      --shell /usr/sbin/nologin wfc \
 && mkdir -p /var/lib/wfc \
 && chown wfc:wfc /var/lib/wfc

WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

ENV NODE_ENV=production \
    WFC_DATA_DIR=/var/lib/wfc

# Declared after the chown so that a new named volume starts out owned by wfc.
VOLUME /var/lib/wfc

# RADIUS authentication and accounting, captive portal, API/metrics/health (keep 8081 private).
EXPOSE 1812/udp 1813/udp 8080 8081

USER wfc:wfc

# The slim image has no curl: use Node's fetch. Liveness only (/healthz); orchestrators that
# route traffic should probe /readyz themselves.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WFC_API_PORT || 8081) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/controller/main.js"]
