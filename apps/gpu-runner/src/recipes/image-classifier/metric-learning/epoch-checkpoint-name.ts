/**
 * Seed 004's per-epoch checkpoint name, `checkpoints/epoch_XX_val_acc_YY.ckpt`: the 1-based epoch
 * with two digits and the validation accuracy with two decimals, as Keras formats
 * `epoch_{epoch:02d}_val_acc_{val_accuracy:.2f}`; e.g. `epoch_03_val_acc_0.87.ckpt`.
 */
export function epochCheckpointPath(epochNumber: number, valAccuracy: number | undefined): string {
  const accuracy = valAccuracy !== undefined && Number.isFinite(valAccuracy) ? valAccuracy.toFixed(2) : "nan";
  return `checkpoints/epoch_${String(epochNumber).padStart(2, "0")}_val_acc_${accuracy}.ckpt`;
}
