# certgate: small, non-root, Node 24 LTS. Config and store are volumes.
#   docker build -t certgate .
#   docker run -p 1812:1812/udp -p 9812:9812 -v $PWD/config:/etc/certgate -v certgate-data:/var/lib/certgate certgate
FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN npm ci && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY certs-fixtures ./certs-fixtures
RUN mkdir -p /var/lib/certgate /etc/certgate && chown node:node /var/lib/certgate
USER node
VOLUME ["/etc/certgate", "/var/lib/certgate"]
EXPOSE 1812/udp 9812/tcp
# One TLS 1.3 session ticket per login instead of two (config/openssl.cnf explains); a young
# generation capped as Node 20's is (README, "Run the gateway").
ENTRYPOINT ["node", "--openssl-config=/app/config/openssl.cnf", "--max-semi-space-size=16", "/app/bin/certgate.js"]
CMD ["serve", "--config", "/etc/certgate/certgate.yaml"]
