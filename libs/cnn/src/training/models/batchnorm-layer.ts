import * as tf from '@tensorflow/tfjs';
import { batchNormTraining, hasBatchNormTrainingKernel } from '../../backend/batchnorm-training';

type LayerArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type CallArgs = Parameters<tf.layers.Layer['call']>;
interface LayerVariable {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}
/** The stock layer's state that training reads (private in TF.js's typings). */
interface BatchNormState {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: LayerVariable | null;
  beta: LayerVariable | null;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

// Taken from the serialization registry, where TF.js registers it, because @tensorflow/tfjs
// exports only the factory; a throwaway instance would shift every later layer's default name.
const registered = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization as unknown as
  | [
      (new (args?: LayerArgs) => tf.layers.Layer) &
        Pick<tf.serialization.SerializableConstructor<tf.layers.Layer>, 'fromConfig'>,
    ]
  | undefined;
if (!registered)
  throw new Error(
    '@tensorflow/tfjs registers no BatchNormalization layer class; is @tensorflow/tfjs-layers installed?',
  );
const [StockBatchNormalization] = registered;

/**
 * TF.js's BatchNormalization, whose training step runs on the fused kernel pair
 * (backend/batchnorm-training.ts) where the backend has it; everything else, inference included,
 * is the stock layer's. It serializes under the stock class name, so saved models are unchanged
 * and browsers load them with stock TF.js, and it replaces the stock class in this process's
 * registry, so models loaded for training (checkpoints, --init-from) get it too.
 */
export class BatchNormalization extends StockBatchNormalization {
  static className = 'BatchNormalization';

  override call(inputs: CallArgs[0], kwargs: CallArgs[1]): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const s = this as unknown as BatchNormState;
    const lastAxis = x !== undefined && x.rank >= 2 && (s.axis === -1 || s.axis === x.rank - 1);
    if (
      !kwargs.training ||
      (Array.isArray(inputs) && inputs.length !== 1) ||
      !lastAxis ||
      x.dtype !== 'float32' ||
      !s.gamma ||
      !s.beta ||
      !hasBatchNormTrainingKernel()
    ) {
      return super.call(inputs, kwargs);
    }
    const { gamma, beta } = s;
    return tf.tidy(() => {
      const [y, mean, variance] = batchNormTraining(x, gamma.read(), beta.read(), s.epsilon);
      // The stock layer's update: moving -= (moving - batch) * (1 - momentum).
      for (const [moving, batch] of [
        [s.movingMean, mean],
        [s.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const value = moving.read();
          moving.write(value.sub(value.sub(batch).mul(1 - s.momentum)));
        });
      }
      return y;
    });
  }
}
tf.serialization.SerializationMap.register(BatchNormalization);

export function batchNormalization(args: LayerArgs): BatchNormalization {
  return new BatchNormalization(args);
}
