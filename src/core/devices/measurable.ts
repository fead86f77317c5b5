// The spaces whose architectures can be measured (HELP writes ONNX models for them, see models.ts). Its own
// module, without the writer, so that the extension can tell which buttons can work without bundling it.
export const MEASURABLE_SPACES = ['nasbench201', 'fbnet', 'ofa'] as const;
export type MeasurableSpace = (typeof MEASURABLE_SPACES)[number];

export function isMeasurableSpace(space: string): space is MeasurableSpace {
  return (MEASURABLE_SPACES as readonly string[]).includes(space);
}
