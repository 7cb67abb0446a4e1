import { join, resolve } from 'node:path';
import { MODEL_FILES, trainAndWrite } from './train.js';
import { modelVersion } from './training-result.js';

// `npm run train` runs from the project root, so paths are relative to the working directory.
const outDir = resolve('model');
const result = await trainAndWrite({ dataFile: resolve('../shared/data/german-credit/german.data'), outDir });
const { meanAuc, brier, expectedCost } = result.evaluation;
console.log(
  `${result.name} ${modelVersion(result)}: cv AUC ${meanAuc.toFixed(3)}, Brier ${brier.toFixed(4)}, ` +
    `expected cost ${expectedCost.toFixed(3)}, decline from p >= ${result.decisionThreshold}, ` +
    `bands [${result.riskBandThresholds.join(', ')}]`,
);
for (const file of MODEL_FILES) console.log(`wrote ${join(outDir, file)}`);
