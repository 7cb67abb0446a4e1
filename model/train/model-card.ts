import { INSTALLMENT_BAND_LOWER_BOUNDS } from '../../shared/applicant.js';
import { BAYES_THRESHOLD } from './evaluation.js';
import { COST_BAD_ACCEPTED, COST_GOOD_DECLINED } from './metrics.js';
import { AGE_KNOT_YEARS } from './features.js';
import { reasonCodeTable, reasonExample } from './model-card-reasons.js';
import { bandTable, featureTable, interfaceTable, metricsTable } from './model-card-tables.js';
import { DECISION_LABELS, RISK_CATEGORY_LABELS } from './onnx-contract.js';
import { IR_VERSION, OPSETS } from './onnx-graph.js';
import { groupThousands, percent } from './text-format.js';
import { modelVersion, type TrainingResult } from './training-result.js';

const fixed = (value: number, digits = 3): string => value.toFixed(digits);

function exampleLine(result: TrainingResult): string {
  const { applicant, probability, decision, riskCategory } = result.example;
  return [
    "The API's example applicant",
    `\`${JSON.stringify(applicant)}\``,
    `scores probability ${fixed(probability, 4)}: ${DECISION_LABELS[decision]}, ${RISK_CATEGORY_LABELS[riskCategory]}.`,
  ].join(' ');
}

/** MODEL_CARD.md for a training run; every number comes from the run, so it is reproducible. */
export function modelCard(result: TrainingResult): string {
  const { data, plan, evaluation } = result;
  const [lower, upper] = result.riskBandThresholds;
  const bounds = INSTALLMENT_BAND_LOWER_BOUNDS.join(', ');
  const rows = groupThousands(data.rows);
  return `# Model card: ${result.name} ${modelVersion(result)}

## What it is
A logistic regression that estimates the probability that a loan goes bad (class 2 of the German
Credit data) from the five applicant fields the scoring API takes. \`${result.onnxFile}\`
(sha256 \`${result.onnxSha256}\`) is the whole model: it takes the raw API fields, encodes them,
scores, and applies the decision and risk-band thresholds, so a change of policy changes the file
and its version (the first 8 hex digits of its sha256). \`manifest.json\` records the same numbers.

## Data
Statlog German Credit data (Hofmann 1994, UCI Machine Learning Repository, CC BY 4.0):
\`${data.file}\`, sha256 \`${data.sha256}\`, ${rows} applicants, bad rate ${data.badRate}.
Only 5 of its 20 attributes are used, because the API takes only these.

## Features and encoding
The graph and the training code (\`model/train/features.ts\`) encode alike:
- \`installment_band\`: the API's share of disposable income becomes the data's code 1–4, one plus
  the number of lower bounds (${bounds}; inclusive) it reaches, used as a number: the bad rate rises
  steadily with the code (25, 27, 29, 33 %), so one slope replaces three step weights.
- \`age_years_under_${AGE_KNOT_YEARS}\`: max(0, ${AGE_KNOT_YEARS} − age). The bad rate is 37 % under 30 and
  24 % from ${AGE_KNOT_YEARS} on, with no trend among older applicants; a plain linear age scored worse in
  cross-validation (see the development notes).
- \`foreign_worker\`, \`present_employment_since\`, \`personal_status_and_sex\`: one-hot over the API's
  values (ONNX-ML \`OneHotEncoder\`, \`zeros=1\`).

Fitted by Newton's method (IRLS) in float64 with L2 penalty ${plan.l2} on the weights (not the
intercept), leaving out each field's most common level as the reference. The categorical
coefficients are then centred: per field, their mean weighted by how often each level occurs is 0,
with the shift moved into the intercept. This changes no score of an observed level; a categorical
coefficient reads as the log-odds difference to the average applicant.

${featureTable(result)}

## Unseen categories and "female: single"
"female: single" (A95) never occurs in the data, so nothing can be learned about it. Its coefficient
is 0, which after centring is the average effect of \`personal_status_and_sex\`: such an applicant is
scored on the other four fields, neither favoured nor penalised for this one. Any string outside
a field's list gets the same treatment (an all-zero one-hot block), although the API rejects those
before they reach the model.

## Principal reasons and expected cost
Every score carries \`reasons\` (also alone from \`POST /reasons\`): up to four fields that raised the
applicant's probability of default the most, by the scorecard industry's "points below best". For
each field, weight × (the applicant's encoded value − the field's lowest-risk value), in log-odds;
the fields with positive points are the reasons, largest first. For \`installment_band\` and
\`age_years_under_${AGE_KNOT_YEARS}\` the lowest-risk value is the end of their range with the smallest
weight × value (band 1; 0 years under ${AGE_KNOT_YEARS}); for a one-hot field it is the level with the
smallest coefficient, and the points are the difference of the two coefficients. A field at its
lowest-risk value has 0 points and is never a reason. The worker computes the reasons from
\`coefficients\` and \`encoding\` in \`manifest.json\` (the file whose sha256 pins this ONNX file); the
gateway never loads the model.

- **Ties.** Equal points keep the order of \`encoding\` in the manifest (installment, age,
  foreign_worker, employment, personal status), so the list is deterministic.
- **"female: single".** Its coefficient is 0 (the field's average effect, see above), so its points
  below best are 0 minus the lowest coefficient of \`personal_status_and_sex\`: it can be a reason,
  \`FEMALE_SINGLE\`, whose description says no such applicant was in the data. It is reported rather
  than hidden because the term does raise the score against the field's best level.
- **Codes are stable.** A new model version may change the weights (last column) but keeps the codes.
- **Expected cost.** \`expected_cost\` prices each decision with the manifest's \`costMatrix\` (bad
  accepted ${COST_BAD_ACCEPTED}, good declined ${COST_GOOD_DECLINED}): accept = ${COST_BAD_ACCEPTED} × p, decline = ${COST_GOOD_DECLINED} × (1 − p),
  six decimals, derived from the cached p when an answer is read.
- Reasons can name \`foreign_worker\`, \`personal_status_and_sex\` and age: see Limitations.

${reasonCodeTable(result)}

Worked example, the API's example applicant:

${reasonExample(result)}

## Cross-validated quality
Stratified 5-fold cross-validation, repeated ${plan.repeats} times with fresh shuffles (mulberry32,
seed ${plan.seed}); every metric is computed on out-of-fold predictions. The five fields are weak:
the model ranks a random bad applicant above a random good one only about
${Math.round(evaluation.meanAuc * 100)} % of the time, and its expected cost is barely below declining everyone.

${metricsTable(result)}

![ROC curve of the cross-validated predictions](roc.svg)

![Calibration of the cross-validated predictions](calibration.svg)

## Decision threshold
DECLINE when p ≥ ${result.decisionThreshold}: the threshold with the least total cost (bad accepted 5,
good declined 1) on the ${plan.repeats} × ${rows} pooled out-of-fold predictions, on a 0.001 grid, taking
the middle of the first run of tied minima. Pooling the repeats keeps one shuffle's luck out of the
choice. Accepted (LOW) applicants went bad ${percent(evaluation.bands.LOW.badRate)} of the time in
cross-validation, below the 1/6 at which accepting stops paying. For comparison, the Bayes
threshold 1/(1 + 5) = ${fixed(BAYES_THRESHOLD, 4)} is the best cut for perfectly calibrated probabilities;
it costs ${fixed(evaluation.expectedCostAtBayesThreshold)} per applicant against ${fixed(evaluation.expectedCost)} here.

## Risk bands
- LOW below ${lower}, the decision threshold: LOW means exactly ACCEPT, so the decision and the
  risk category never contradict each other.
- HIGH from ${upper}, the bad rate of the training data: riskier than the average applicant. The
  mean cross-validated prediction, ${fixed(evaluation.meanProbability, 4)}, is close to it: the
  probabilities are calibrated in the large.
- MEDIUM in between: declined only because a missed bad loan costs five times a lost good one,
  while no riskier than average.

${bandTable(result)}

## Example
${exampleLine(result)}

## Interface
Every tensor has shape [N, 1] with a symbolic batch dimension \`N\`. Opsets: ai.onnx
${OPSETS['ai.onnx']}, ai.onnx.ml ${OPSETS['ai.onnx.ml']}; IR version ${IR_VERSION}. In onnxruntime-node,
\`probability\` arrives as a Float64Array, \`decision\` and \`risk_category\` as BigInt64Arrays.

${interfaceTable()}

## Limitations
- Five weak features; AUC about ${fixed(evaluation.meanAuc, 2)}. The decision declines
  ${percent(evaluation.declineRate)} of applicants: with these features few look safe enough to be
  worth a 5:1 risk. Use it as the API's demonstration model, not to decide on real loans.
- ${rows} applicants of one southern German bank in the 1970s; the codes were documented
  wrongly for years (Grömping 2019), and the installment bands rest on that paper's reading.
  Nothing says the pattern holds elsewhere or today.
- Fairness: \`foreign_worker\` and \`personal_status_and_sex\` are protected or near-protected
  attributes (national origin, sex, marital status). The model uses them only because the API
  contract demands them as inputs; in most jurisdictions scoring credit on them is unlawful or
  needs a legal basis, and they shift scores here (see the coefficients). Age is also used. The
  principal reasons say so openly: a reason such as \`FOREIGN_WORKER\` or \`MALE_SINGLE\` names a
  prohibited basis under US Regulation B (national origin, sex, marital status), which is one more
  reason not to decide real loans with this model.
- Ages outside the data (19–75): from ${AGE_KNOT_YEARS} on age has no effect, so high ages are not
  extrapolated; an 18-year-old continues the slope by one year.

## Development notes
Feature choices were compared under repeated stratified 5-fold cross-validation during development
(means over 30 reshuffles): plain encoding (three installment step indicators, linear age) 0.594,
installment code with linear age 0.600, with log age 0.603, with years under ${AGE_KNOT_YEARS} 0.609. The knot at
${AGE_KNOT_YEARS} was read off the bad rate by age in the full data, a mild look ahead that cross-validation
does not account for.

## Retraining
\`npm run train\` from the project root (\`tsc -p tsconfig.build.json && node dist/model/train/main.js\`).
It reads \`../shared/data/german-credit/german.data\` relative to the working directory and rewrites
\`${result.onnxFile}\`, \`manifest.json\`, \`MODEL_CARD.md\`, \`roc.svg\` and \`calibration.svg\` in \`model/\`.
The run is deterministic: running it twice gives byte-identical files, and \`test/model\` checks
that the committed files are what the code produces.
`;
}
