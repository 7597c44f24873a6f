# One image for every Node service (docker-compose.yml tags it once and picks the app with
# `command`), and a `web` stage for nginx.

# Compile the apps and build the web app: needs the dev dependencies (typescript, vite, react).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY apps ./apps
COPY bench ./bench
RUN npm run build

# Runtime dependencies only: no typescript, vite, react or jest, and no embedded Postgres
# (an optional dependency for `npm start` on a machine with only Node; compose runs Postgres).
FROM node:20-bookworm-slim AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund

# The web app's static files behind nginx, which routes /api and /ws (apps/web/nginx.conf).
FROM nginx:1.27-alpine AS web
COPY apps/web/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dist/web /usr/share/nginx/html

# The Node services (the last stage is the default target): compiled apps and libs and the
# built web app (the API serves it too), nothing from bench/, test/ or the sources.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/web ./dist/web
USER node
CMD ["node", "--enable-source-maps", "dist/apps/api/src/main.js"]
