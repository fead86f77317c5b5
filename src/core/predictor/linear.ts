// Small dense ridge regression with an unpenalised intercept and closed-form leave-one-out residuals
// (e_i / (1 - H_ii)), used to map network outputs to milliseconds, to combine them with source devices,
// and by the baselines. Sizes are tiny (tens of samples, tens of features), so plain JS is fastest.

export interface RidgeFit {
  /** Intercept then one coefficient per feature, in the original (unstandardised) feature units. */
  intercept: number;
  coef: number[];
  /** Mean squared leave-one-out error on the fitted samples. */
  looMse: number;
  /** Each sample's leave-one-out residual (y_i minus the prediction of the fit without sample i). */
  looResiduals?: number[];
}

/** Cholesky factor L (lower triangular, M = L L^T) of a symmetric positive definite p x p matrix. */
export function cholesky(m: number[][]): number[][] {
  const p = m.length;
  const l: number[][] = Array.from({ length: p }, () => new Array(p).fill(0));
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) l[i][i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i][j] = s / l[j][j];
    }
  }
  return l;
}

/** Solves L L^T x = b for a Cholesky factor L. */
export function solveCholesky(l: number[][], b: ArrayLike<number>): number[] {
  const p = b.length;
  const y = new Array(p).fill(0);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < p; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/** Solves the symmetric positive definite system M w = b (Cholesky); M is row-major p x p. */
export function solveSpd(m: number[][], b: number[]): number[] {
  return solveCholesky(cholesky(m), b);
}

/**
 * Ridge fit of y on the columns of `features` (n rows, each p values). Features are standardised on the
 * samples; `penalty[j]` is the ridge strength of feature j relative to n (0 = unpenalised).
 */
export function fitRidge(features: number[][], y: number[], penalty: number[], withLoo = true): RidgeFit {
  const n = y.length;
  const p = penalty.length;
  const mu = new Array(p).fill(0);
  const sd = new Array(p).fill(0);
  for (const row of features) for (let j = 0; j < p; j++) mu[j] += row[j] / n;
  for (const row of features) for (let j = 0; j < p; j++) sd[j] += (row[j] - mu[j]) ** 2 / n;
  for (let j = 0; j < p; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  // Design with intercept column first.
  const a = features.map((row) => [1, ...row.map((v, j) => (v - mu[j]) / sd[j])]);
  const q = p + 1;
  const m: number[][] = Array.from({ length: q }, () => new Array(q).fill(0));
  const rhs = new Array(q).fill(0);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < q; r++) {
      rhs[r] += a[i][r] * y[i];
      for (let c = 0; c < q; c++) m[r][c] += a[i][r] * a[i][c];
    }
  }
  m[0][0] += 1e-9;
  for (let j = 0; j < p; j++) m[j + 1][j + 1] += penalty[j] * n + 1e-9;
  // One factorisation serves the fit and every leave-one-out residual.
  const chol = cholesky(m);
  const w = solveCholesky(chol, rhs);
  // Leave-one-out residuals from the hat diagonal: h_ii = a_i^T M^-1 a_i.
  let loo = withLoo ? 0 : NaN;
  const residuals: number[] = [];
  for (let i = 0; withLoo && i < n; i++) {
    const mi = solveCholesky(chol, a[i]);
    let h = 0;
    let pred = 0;
    for (let r = 0; r < q; r++) {
      h += a[i][r] * mi[r];
      pred += a[i][r] * w[r];
    }
    const e = (y[i] - pred) / Math.max(1 - h, 1e-3);
    loo += (e * e) / n;
    residuals.push(e);
  }
  const coef = w.slice(1).map((v, j) => v / sd[j]);
  const intercept = w[0] - coef.reduce((s, c, j) => s + c * mu[j], 0);
  return withLoo ? { intercept, coef, looMse: loo, looResiduals: residuals } : { intercept, coef, looMse: loo };
}

export function applyLinear(fit: { intercept: number; coef: number[] }, row: ArrayLike<number>): number {
  let s = fit.intercept;
  for (let j = 0; j < fit.coef.length; j++) s += fit.coef[j] * row[j];
  return s;
}
