# One image for both processes; docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/package.json package.json
# The model, and every document /docs links to (test/attacks/docker-image.test.ts holds the two together).
COPY model/manifest.json model/credit-model.onnx model/MODEL_CARD.md model/roc.svg model/calibration.svg model/
USER node
CMD ["node", "dist/api/main.js"]
