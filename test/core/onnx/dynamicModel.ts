// A small model with open input dims (and one with external data), for the tests of fixInputs.ts, the CLI
// and the worker.
import { onnx } from 'onnx-proto';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const tensorType = (dim: onnx.TensorShapeProto.IDimension[]) => ({ tensorType: { elemType: FLOAT, shape: { dim } } });

/** x: [batch, n] (symbolic; batch with a denotation) + w, Add -> y; mask: [2, 3] fixed -> Identity; w is
 *  listed among the inputs too (older exports do) and stays as it is. */
export function dynamicModel(o: { external?: boolean } = {}): Buffer {
  const w: onnx.ITensorProto = o.external
    ? { name: 'w', dims: [1], dataType: FLOAT, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'w.bin' }, { key: 'length', value: '4' }] }
    : { name: 'w', dims: [1], dataType: FLOAT, rawData: new Uint8Array(new Float32Array([0.5]).buffer) };
  return Buffer.from(
    onnx.ModelProto.encode({
      irVersion: 7,
      producerName: 'fix-inputs-test',
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [
          { opType: 'Add', input: ['x', 'w'], output: ['y'], name: 'add' },
          { opType: 'Identity', input: ['mask'], output: ['mask_out'], name: 'id' },
        ],
        initializer: [w],
        input: [
          { name: 'x', type: tensorType([{ dimParam: 'batch', denotation: 'DATA_BATCH' }, { dimParam: 'n' }]) },
          { name: 'mask', type: tensorType([{ dimValue: 2 }, { dimValue: 3 }]) },
          { name: 'w', type: tensorType([{ dimValue: 1 }]) },
        ],
        output: [
          { name: 'y', type: tensorType([{ dimParam: 'batch' }, { dimParam: 'n' }]) },
          { name: 'mask_out', type: tensorType([{ dimValue: 2 }, { dimValue: 3 }]) },
        ],
      },
    }).finish(),
  );
}

