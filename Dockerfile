# syntax=docker/dockerfile:1
# Multi-stage build: dependencies and compile in one stage, a slim non-root runtime in the other.
#
# By default onnxruntime-node's install script (a CUDA download from NuGet) is skipped: the CPU
# binary ships inside the npm package. For a CUDA image:
#   docker build --build-arg ONNXRUNTIME_INSTALL=cuda12 \
#                --build-arg RUNTIME_BASE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 -t tensornode:cuda .
# (the runtime base must carry CUDA 12 and cuDNN 9; Node is copied in from the build stage), then
#   docker run --gpus all tensornode:cuda miner --device cuda …
# `tensornode miner --device cuda` says in one line when the provider is missing and uses the CPU.
#
# scripts/dockerfile-steps.ts runs these same steps without Docker (there is no Docker engine on
# the development machines); test/e2e/dockerfile.test.ts runs it.
ARG RUNTIME_BASE=node:20-slim

FROM node:20-slim AS build
ARG ONNXRUNTIME_INSTALL=skip
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
COPY subnets ./subnets
# npm ci's prepare step compiles (src and the subnet plugins) and generates the tiny subnet's model.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev
RUN if [ "$ONNXRUNTIME_INSTALL" != "skip" ]; then ONNXRUNTIME_NODE_INSTALL="$ONNXRUNTIME_INSTALL" node node_modules/onnxruntime-node/script/install.js; fi

FROM ${RUNTIME_BASE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/subnets ./subnets
COPY config ./config
RUN useradd --create-home --uid 10001 tensornode
USER tensornode
ENV TENSORNODE_HOME=/home/tensornode/.tensornode
# The devnet inside a container must bind beyond loopback: docker run -p 9944:9944 IMAGE devnet --host 0.0.0.0
# A miner listens on 8091 and needs --external-ip (the address validators reach the container at);
# a validator's status port (/metrics) is 9101 when asked for.
EXPOSE 9944 8091
ENTRYPOINT ["node", "bin/tensornode.js"]
CMD ["--help"]
