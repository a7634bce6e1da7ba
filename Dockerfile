# Node 24 is the active LTS line (Node 20 reached end of life on 2026-04-30; package.json keeps
# engines at >=20 for the development machines). better-sqlite3 compiles in the build stage.
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# The embedded default's data folder, if a container runs without the servers.
ENV DATA_DIR=/app/data
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
RUN mkdir -p /app/data && chown node:node /app/data
# Never as root: the image's unprivileged user.
USER node
EXPOSE 3000 3001 3002
CMD ["node", "dist/apps/api/src/main.js"]
