# syntax=docker/dockerfile:1
# Multi-stage build: dependencies and compile in one stage, a slim non-root runtime in the other.
# onnxruntime-node's install script (a CUDA download) is skipped: the CPU binary ships in the package.
FROM node:20-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
COPY subnets ./subnets
# npm ci's prepare step compiles (src and the subnet plugins) and generates the tiny subnet's model.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/subnets ./subnets
COPY config ./config
RUN useradd --create-home --uid 10001 tensornode
USER tensornode
# The devnet inside a container must bind beyond loopback: docker run -p 9944:9944 IMAGE devnet --host 0.0.0.0
# A miner listens on 8091 and needs --external-ip (the address validators reach the container at).
EXPOSE 9944 8091
ENTRYPOINT ["node", "bin/tensornode.js"]
CMD ["--help"]
