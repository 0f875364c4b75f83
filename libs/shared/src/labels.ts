/**
 * The one source of truth for the emotion labels and their order.
 * The order is FER2013's alphabetical folder order used by the Kaggle re-splits;
 * a model's output index i always means EMOTIONS[i].
 */
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'] as const;
export type Emotion = (typeof EMOTIONS)[number];
export const NUM_CLASSES = EMOTIONS.length;

export function isEmotion(value: string): value is Emotion {
  return (EMOTIONS as readonly string[]).includes(value);
}
