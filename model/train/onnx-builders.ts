import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';

// onnx-proto is CommonJS: its namespace arrives as the default export under ESM.
const { AttributeProto, TensorProto } = onnxProto.onnx;

/** ONNX element types used by the graph. */
export const ElementType = {
  DOUBLE: TensorProto.DataType.DOUBLE,
  INT64: TensorProto.DataType.INT64,
  STRING: TensorProto.DataType.STRING,
} as const;

/** Domain of the ONNX-ML operators (OneHotEncoder). */
export const ML_DOMAIN = 'ai.onnx.ml';

/** Name of the symbolic batch dimension of every input and output. */
const BATCH_DIM = 'N';

const utf8 = new TextEncoder();

/** A float64 constant; `dims` [] makes a scalar. */
export function doubleTensor(name: string, dims: readonly number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dims: [...dims], dataType: ElementType.DOUBLE, doubleData: [...values] };
}

/** An int64 constant. */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dims: [...dims], dataType: ElementType.INT64, int64Data: [...values] };
}

/** An integer attribute. */
export function intAttribute(name: string, value: number): onnx.IAttributeProto {
  return { name, type: AttributeProto.AttributeType.INT, i: value };
}

/** A list-of-strings attribute, UTF-8 encoded. */
export function stringsAttribute(name: string, values: readonly string[]): onnx.IAttributeProto {
  return { name, type: AttributeProto.AttributeType.STRINGS, strings: values.map((value) => utf8.encode(value)) };
}

/** A node named after its first output, so the graph reads the same in any viewer. */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: readonly onnx.IAttributeProto[] = [],
  domain = '',
): onnx.INodeProto {
  return {
    name: outputs[0] ?? opType,
    opType,
    domain,
    input: [...inputs],
    output: [...outputs],
    attribute: [...attributes],
  };
}

/** A graph input or output of shape [N, 1]. */
export function columnValue(name: string, elemType: number, docString: string): onnx.IValueInfoProto {
  return {
    name,
    docString,
    type: { tensorType: { elemType, shape: { dim: [{ dimParam: BATCH_DIM }, { dimValue: 1 }] } } },
  };
}
